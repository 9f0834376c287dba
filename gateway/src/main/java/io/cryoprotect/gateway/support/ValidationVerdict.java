package io.cryoprotect.gateway.support;

/**
 * What validation made of a request's body, parameters and content type; logged as
 * {@code validation}.
 */
public enum ValidationVerdict {

	/** Every rule of the endpoint held. */
	PASSED("passed"),
	/** A rule was broken in enforce mode: the request was refused. */
	FAILED("failed"),
	/** A rule was broken in shadow mode: counted, and forwarded. */
	SHADOW_FAILED("shadow_failed");

	private final String value;

	ValidationVerdict(String value) {
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
