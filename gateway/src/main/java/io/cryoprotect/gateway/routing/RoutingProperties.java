package io.cryoprotect.gateway.routing;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where route files live and how they are watched ({@code gateway.routing.*}).
 *
 * @param dir the route file directory; default {@code routes} (env
 * {@code GATEWAY_ROUTES_DIR})
 * @param pollInterval how often the directory content is compared; default 250 ms, so an
 * edit is live well within 1 s
 * @param stickyCookieName the cookie that carries the sticky id of {@code sticky: cookie}
 * routes; default {@code cp_sticky}
 */
@ConfigurationProperties("gateway.routing")
public record RoutingProperties(String dir, Duration pollInterval, String stickyCookieName) {

	public RoutingProperties {
		dir = dir == null ? "routes" : dir;
		pollInterval = pollInterval == null ? Duration.ofMillis(250) : pollInterval;
		stickyCookieName = stickyCookieName == null ? "cp_sticky" : stickyCookieName;
		if (pollInterval.isNegative() || pollInterval.isZero()) {
			throw new IllegalArgumentException(
					"gateway.routing.poll-interval must be positive but was " + pollInterval);
		}
	}

}
