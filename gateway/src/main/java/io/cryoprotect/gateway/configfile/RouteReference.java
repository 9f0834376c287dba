package io.cryoprotect.gateway.configfile;

/**
 * A route id, or a service name, written in a policy file, where it is written: checked
 * against the live route set before the policy applies, and again whenever the route set
 * changes.
 */
public record RouteReference(String file, String key, String name, Kind kind) {

	/** What the name names. */
	public enum Kind {

		/** A route's {@code id}. */
		ROUTE("no route with this id in routes/"),

		/**
		 * A service: the name of a route file, {@code rdkit} for
		 * {@code routes/rdkit.yml}.
		 */
		SERVICE("no route file of this name in routes/");

		private final String unknown;

		Kind(String unknown) {
			this.unknown = unknown;
		}

	}

	/** A route id. */
	public RouteReference(String file, String key, String routeId) {
		this(file, key, routeId, Kind.ROUTE);
	}

	boolean resolvesIn(LiveRouteIds.Names live) {
		return (kind == Kind.ROUTE ? live.ids() : live.services()).contains(name);
	}

	ConfigProblem unknown() {
		return new ConfigProblem(file, key, name, kind.unknown);
	}

}
