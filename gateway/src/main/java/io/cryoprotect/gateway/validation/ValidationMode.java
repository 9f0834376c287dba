package io.cryoprotect.gateway.validation;

/** What an endpoint's rules do to a request that breaks them. */
public enum ValidationMode {

	/** Nothing is checked and the body is not read. */
	off,
	/** Everything is checked and counted, but the request is forwarded anyway. */
	shadow,
	/** A request that breaks a rule is answered by the gateway (400, 413 or 415) and never forwarded. */
	enforce

}
