package io.cryoprotect.gateway.support;

/**
 * What the rate limits made of a request; logged as {@code rateLimit} in the access line.
 */
public enum RateLimitVerdict {

	/** Every enforced limit had tokens for it. */
	ALLOWED("allowed"),
	/** An enforced limit had none: the request was refused with 429. */
	LIMITED("limited"),
	/** Only a limit in shadow mode had none: counted, and forwarded. */
	SHADOW_LIMITED("shadow_limited"),
	/** The shared store (Redis) failed: this instance's own buckets decided. */
	DEGRADED("degraded");

	private final String value;

	RateLimitVerdict(String value) {
		this.value = value;
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
