package io.cryoprotect.gateway.routing;

/** Exchange attributes the routing package sets for the policies and observers after it. */
public final class RoutingAttributes {

	/** The name of the colour picked for this request, e.g. {@code blue}. */
	public static final String COLOUR = RoutingAttributes.class.getName() + ".colour";

	/** The {@link ColourPlan} the colour was picked from, for fallbacks to another colour. */
	public static final String PLAN = RoutingAttributes.class.getName() + ".plan";

	/** The route file's service name, e.g. {@code flask-api}. */
	public static final String SERVICE = RoutingAttributes.class.getName() + ".service";

	/**
	 * {@code Boolean.TRUE} when no colour with weight passes its health check: {@link #COLOUR} is then
	 * the one the bucket owns, and only the route's fallback may take the request.
	 */
	public static final String NO_HEALTHY_COLOUR = RoutingAttributes.class.getName() + ".noHealthyColour";

	/**
	 * Not an exchange attribute but a key of every route's SCG metadata: {@code true} where the route
	 * file sets {@code websocket: true}. The gateway sets it, over any metadata value of that name.
	 */
	public static final String WEBSOCKET_METADATA = "websocket";

	private RoutingAttributes() {
	}

}
