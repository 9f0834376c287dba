package io.cryoprotect.gateway.configfile;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the policy files live ({@code gateway.filters-conf.*}): resilience presets, rate
 * limits, the validation map and its schemas. Each policy watches its own files there.
 *
 * @param dir the directory; default {@code filters-conf} (env
 * {@code GATEWAY_FILTERS_CONF_DIR})
 * @param pollInterval how often the policy files are compared; default 250 ms
 */
@ConfigurationProperties("gateway.filters-conf")
public record FiltersConfProperties(String dir, Duration pollInterval) {

	public FiltersConfProperties {
		dir = dir == null ? "filters-conf" : dir;
		pollInterval = pollInterval == null ? Duration.ofMillis(250) : pollInterval;
		if (pollInterval.isNegative() || pollInterval.isZero()) {
			throw new IllegalArgumentException(
					"gateway.filters-conf.poll-interval must be positive but was " + pollInterval);
		}
	}

}
