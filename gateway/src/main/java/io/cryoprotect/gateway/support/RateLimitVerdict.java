package io.cryoprotect.gateway.support;

import java.util.Locale;

/**
 * What the rate limits made of a request; logged as {@code rateLimit} in the access line.
 */
public enum RateLimitVerdict {

	/** Every enforced limit had tokens for it. */
	ALLOWED,
	/** An enforced limit had none: the request was refused with 429. */
	LIMITED,
	/** Only a limit in shadow mode had none: counted, and forwarded. */
	SHADOW_LIMITED,
	/** The shared store (Redis) failed: this instance's own buckets decided. */
	DEGRADED;

	private final String value;

	RateLimitVerdict() {
		this.value = name().toLowerCase(Locale.ROOT);
	}

	/** The lower-case name the access log writes. */
	public String value() {
		return value;
	}

	@Override
	public String toString() {
		return value;
	}

}
