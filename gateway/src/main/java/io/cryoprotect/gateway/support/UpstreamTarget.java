package io.cryoprotect.gateway.support;

/**
 * One breaker, budget and pool owner: a colour of an upstream service (or a fallback
 * URI), e.g. {@code flask-api/blue}. Its name, {@code key}, is the low-cardinality
 * {@code upstream} tag; it is built once here because breakers, budgets and pools each
 * look it up per request.
 */
public record UpstreamTarget(String service, String colour, String origin, String key) {

	public UpstreamTarget(String service, String colour, String origin) {
		this(service, colour, origin, service + "/" + colour);
	}

}
