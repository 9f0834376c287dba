package io.cryoprotect.gateway.resilience;

/**
 * One breaker, budget and pool owner: a colour of an upstream service (or a fallback URI),
 * e.g. {@code flask-api/blue}. Its name is the low-cardinality {@code upstream} tag.
 */
record UpstreamTarget(String service, String colour, String origin) {

	String key() {
		return service + "/" + colour;
	}

}
