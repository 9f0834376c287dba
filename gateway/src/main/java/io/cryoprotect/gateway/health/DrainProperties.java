package io.cryoprotect.gateway.health;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Shutdown drain ({@code gateway.drain.*}).
 *
 * @param delay how long the gateway keeps accepting after readiness went DOWN, so load
 * balancers notice before connections are refused; default 5 s
 */
@ConfigurationProperties("gateway.drain")
public record DrainProperties(Duration delay) {

	public DrainProperties {
		delay = delay == null ? Duration.ofSeconds(5) : delay;
		if (delay.isNegative()) {
			throw new IllegalArgumentException("gateway.drain.delay must not be negative but was " + delay);
		}
	}

}
