package io.cryoprotect.gateway.ratelimit;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Process-wide rate-limit settings ({@code gateway.ratelimit.*}); the limits themselves
 * live in {@code filters-conf/ratelimits.yml}.
 *
 * @param enabled false removes the filters entirely (the benchmark's routing-only
 * gateway)
 * @param modeOverride {@code off}, {@code shadow} or {@code enforce} replaces the mode of
 * every limit: the operator's switch during an incident (env
 * {@code GATEWAY_RATELIMIT_MODE}); unset by default
 * @param redisUrl shared buckets in this Redis, e.g.
 * {@code redis://:password@redis:6379/0} (env {@code GATEWAY_RATELIMIT_REDIS_URL});
 * unset: buckets local to each replica
 */
@ConfigurationProperties("gateway.ratelimit")
public record RateLimitProperties(Boolean enabled, String modeOverride, String redisUrl) {

	public RateLimitProperties {
		enabled = enabled == null || enabled;
		if (modeOverride != null && !modeOverride.isBlank()) {
			try {
				RateLimitConfigLoader.parseMode(modeOverride);
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("gateway.ratelimit.mode-override (GATEWAY_RATELIMIT_MODE) is '"
						+ modeOverride + "'; expected off, shadow or enforce", ex);
			}
		}
	}

}
