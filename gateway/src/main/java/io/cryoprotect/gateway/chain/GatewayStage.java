package io.cryoprotect.gateway.chain;

import org.springframework.cloud.gateway.filter.AdaptCachedBodyGlobalFilter;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.cloud.gateway.filter.RemoveCachedBodyFilter;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;
import org.springframework.cloud.gateway.filter.WebsocketRoutingFilter;
import org.springframework.core.Ordered;

/**
 * Every stage a request passes, in request order, and the one source of every filter's
 * order, as Spring Security's {@code SecurityWebFiltersOrder} is for its filters. A
 * request crosses two chains: WebFlux's web filters ({@link Chain#WEB}), which run for
 * every request on the public port, then, once {@link #ROUTE_LOOKUP} has found a route,
 * Spring Cloud Gateway's filter chain for that route ({@link Chain#ROUTE}: the global
 * filters and the route's own filters, sorted together by order).
 * <p>
 * Stages owned by Spring Cloud Gateway itself are listed too ({@link #scg()}), at the
 * order SCG gives them, because the gateway's stages are placed relative to them. Where a
 * gateway stage replaces an SCG filter it takes that filter's slot:
 * {@link #RESPONSE_WRITER} is at {@link NettyWriteResponseFilter}'s order,
 * {@link #UPSTREAM_CALL} at {@link NettyRoutingFilter}'s, {@link #WEBSOCKET_PROXY} at
 * {@link WebsocketRoutingFilter}'s, and {@link #COLOUR_PICK} just after
 * {@link RouteToRequestUrlFilter}'s, which is off.
 * <p>
 * Room for the stages to come, by where they belong: feature flags and API versions
 * between {@link #IDENTITY} and {@link #RATE_LIMIT} (they key on the caller, and a
 * version may change the route's limits); shadow traffic between {@link #RATE_LIMIT_BODY}
 * and {@link #REQUEST_DEADLINE} (a copy of a request that passed every check);
 * progressive rollouts inside {@link #COLOUR_PICK}; fault injection between
 * {@link #COLOUR_PICK} and {@link #RESILIENCE} (an injected fault is seen by retries and
 * breakers as the real one would be). The pre-route band leaves 100 between stages for
 * them. The route file's own filters ({@code filters:}) run between
 * {@link #RESPONSE_WRITER} and {@link #COLOUR_PICK}, at their position in the file (1, 2,
 * ...), as SCG orders a route's filters.
 */
public enum GatewayStage {

	REQUEST_ID(Chain.WEB, Ordered.HIGHEST_PRECEDENCE, "observability.RequestIdWebFilter",
			"Takes or makes the request id, echoed to the client and sent upstream; first, so every later error names the request."),

	OBSERVABILITY(Chain.WEB, Ordered.HIGHEST_PRECEDENCE + 1, "observability.ObservabilityWebFilter",
			"Times the request and, when it ends, writes its access-log line, metrics and slow-request log; before the edge, so its rejections are counted too."),

	EDGE_LIMITS(Chain.WEB, Ordered.HIGHEST_PRECEDENCE + 10, "edge.EdgeLimitsWebFilter",
			"URL, header and body-size limits and unsafe paths, refused before any route or policy runs."),

	CLIENT_ADDRESS(Chain.WEB, Ordered.HIGHEST_PRECEDENCE + 20, "identity.ClientAddressWebFilter",
			"The client's address: the peer, or the address a trusted proxy put in `X-Forwarded-For`."),

	ROUTE_LOOKUP(Chain.WEB, Ordered.LOWEST_PRECEDENCE, "routing.RouteLookupWebFilter",
			"Finds the route and hands the request to its chain; answers CORS preflights of routes with a `cors:` block, and 503 until the first route set loads."),

	SCG_REMOVE_CACHED_BODY(Chain.ROUTE, Ordered.HIGHEST_PRECEDENCE, RemoveCachedBodyFilter.class,
			"Releases a body a later stage cached, when the exchange ends."),

	EDGE_PHASE(Chain.ROUTE, Ordered.HIGHEST_PRECEDENCE + 1, "observability.EdgePhaseFilter",
			"Ends the edge phase of the slow-request breakdown."),

	SCG_ADAPT_CACHED_BODY(Chain.ROUTE, Ordered.HIGHEST_PRECEDENCE + 1000, AdaptCachedBodyGlobalFilter.class,
			"Serves a cached body to the stages after it."),

	IDENTITY(Chain.ROUTE, -500, "identity.JwtIdentityFilter",
			"The caller, from a verified JWT, or anonymous; 401 on authenticated endpoints. Before the stages that key on the caller."),

	RATE_LIMIT(Chain.ROUTE, -400, "ratelimit.RateLimitFilter",
			"Rate limits keyed by caller, address or user, before any body is read."),

	VALIDATION(Chain.ROUTE, -300, "validation.ValidationFilter",
			"Body, parameter and content-type rules, reading and caching the body (capped) only on routes that have them; an invalid body never reaches an upstream or its breaker."),

	RATE_LIMIT_BODY(Chain.ROUTE, -200, "ratelimit.RateLimitFilter",
			"Rate limits keyed by a body field (the login form's username), on the body validation cached."),

	REQUEST_DEADLINE(Chain.ROUTE, NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 1,
			"resilience.RequestDeadlineFilter",
			"The route's whole-request deadline; outside the response writer, so a response body that stalls is cut off too."),

	RESPONSE_WRITER(Chain.ROUTE, NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER, "proxy.UpstreamResponseWriter",
			"Writes the upstream's response to the client, in one write where it fits (in the slot of SCG's `NettyWriteResponseFilter`)."),

	COLOUR_PICK(Chain.ROUTE, RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 1, "routing.BlueGreenGatewayFilter",
			"Picks blue or green by weight, sticky cookie and health, and builds the upstream URL (just after the slot of SCG's `RouteToRequestUrlFilter`, which is off)."),

	RESILIENCE(Chain.ROUTE, RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 2, "resilience.ResilienceGatewayFilter",
			"Circuit breaker, retries with backoff under a budget, fallback, and the colour's connection pool; after the colour pick, whose colour it judges."),

	WEBSOCKET_PROXY(Chain.ROUTE, Ordered.LOWEST_PRECEDENCE - 1, "websocket.WebSocketRoutingFilter",
			"Proxies WebSocket upgrades on routes with `websocket: true` (in the slot of SCG's `WebsocketRoutingFilter`)."),

	UPSTREAM_CALL(Chain.ROUTE, Ordered.LOWEST_PRECEDENCE, "proxy.UpstreamRoutingFilter",
			"Sends the request upstream on the colour's pool, with the per-try response timeout (in the slot of SCG's `NettyRoutingFilter`).");

	/** The chain a stage runs in. */
	public enum Chain {

		/** WebFlux's web filters: every request on the public port. */
		WEB,

		/**
		 * SCG's filter chain of the route the request matched: global filters and route
		 * filters together.
		 */
		ROUTE

	}

	private static final String PACKAGE = "io.cryoprotect.gateway.";

	private final Chain chain;

	private final int order;

	private final String implementation;

	private final boolean scg;

	private final String purpose;

	GatewayStage(Chain chain, int order, String implementation, String purpose) {
		this.chain = chain;
		this.order = order;
		this.implementation = PACKAGE + implementation;
		this.scg = false;
		this.purpose = purpose;
	}

	GatewayStage(Chain chain, int order, Class<?> scgFilter, String purpose) {
		this.chain = chain;
		this.order = order;
		this.implementation = scgFilter.getName();
		this.scg = true;
		this.purpose = purpose;
	}

	/** The chain this stage runs in. */
	public Chain chain() {
		return chain;
	}

	/** The order of the filter implementing this stage. */
	public int order() {
		return order;
	}

	/**
	 * The fully qualified name of the class implementing this stage (a name, not a class:
	 * this table may not depend on the packages that depend on it). A test checks it
	 * against the running filters.
	 */
	public String implementation() {
		return implementation;
	}

	/**
	 * What the stage does, and why it sits where it does: one sentence for the README's
	 * request flow.
	 */
	public String purpose() {
		return purpose;
	}

	/** Whether the stage is Spring Cloud Gateway's own filter, listed as an anchor. */
	public boolean scg() {
		return scg;
	}

}
