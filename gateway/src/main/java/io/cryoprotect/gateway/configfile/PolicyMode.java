package io.cryoprotect.gateway.configfile;

/**
 * What a policy (a rate limit, an endpoint's validation rules) does to a request that
 * breaks it.
 */
public enum PolicyMode {

	/** Nothing is checked or counted; a validated body is not read. */
	off,
	/** Everything is checked and counted, but the request is forwarded anyway. */
	shadow,
	/**
	 * A request that breaks the policy is answered by the gateway (429, or 400, 413 or
	 * 415) and never forwarded.
	 */
	enforce

}
