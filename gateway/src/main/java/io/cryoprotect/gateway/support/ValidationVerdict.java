package io.cryoprotect.gateway.support;

import java.util.Locale;

/**
 * What validation made of a request's body, parameters and content type; logged as
 * {@code validation}.
 */
public enum ValidationVerdict {

	/** Every rule of the endpoint held. */
	PASSED,
	/** A rule was broken in enforce mode: the request was refused. */
	FAILED,
	/** A rule was broken in shadow mode: counted, and forwarded. */
	SHADOW_FAILED;

	private final String value;

	ValidationVerdict() {
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
