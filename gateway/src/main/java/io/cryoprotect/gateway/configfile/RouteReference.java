package io.cryoprotect.gateway.configfile;

/**
 * A route id written in a policy file, where it is written: checked against the live
 * route set before the policy applies, and again whenever the route set changes.
 */
public record RouteReference(String file, String key, String routeId) {

	static final String UNKNOWN = "no route with this id in routes/";

	ConfigProblem unknown() {
		return new ConfigProblem(file, key, routeId, UNKNOWN);
	}

}
