package io.cryoprotect.gateway.routing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.cryoprotect.gateway.chain.GatewayStage;
import io.cryoprotect.gateway.edge.ManagementPort;
import io.cryoprotect.gateway.errors.ProblemException;
import io.cryoprotect.gateway.errors.ProblemType;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_PREDICATE_ROUTE_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * The route lookup of Spring Cloud Gateway's {@code RoutePredicateHandlerMapping}, done
 * synchronously as the last web filter: the first route (in SCG's order) whose predicate
 * matches gets the exchange, which goes straight to SCG's {@link FilteringWebHandler} and
 * the route's filter chain. WebFlux's {@code DispatcherHandler} would ask its handler
 * mappings one after another through a chain of Reactor operators, and SCG's mapping
 * evaluates each route's predicate as a publisher ({@code filterWhen}), before arriving
 * at the same handler.
 * <p>
 * CORS is decided here too, per route: a route with a {@code cors:} block answers
 * preflights and sets the CORS headers itself ({@link RouteCors}); any other route hands
 * preflights and CORS requests to its upstream like every request. (SCG's mapping would
 * answer every preflight itself, with 200 and, lacking a global CORS configuration, no
 * {@code Access-Control-Allow-*} header, so browsers would refuse the real request.)
 * <p>
 * Everything this lookup cannot decide exactly as SCG does goes the usual way through the
 * {@code DispatcherHandler}: requests on the management port, requests that reach a route
 * whose predicate is asynchronous only (such as {@code ReadBody}), requests no route
 * matches (answered 404 there; a preflight no route matches is answered 404 here, where
 * WebFlux would answer it 200), and every request when SCG's properties define routes of
 * their own.
 * <p>
 * Until the first valid route set loads, every request on the public port is answered 503
 * {@code not-ready} with {@code Retry-After}: the gateway cannot tell yet whether a route
 * exists, so a 404 would be wrong.
 */
final class RouteLookupWebFilter implements WebFilter, Ordered {

	private static final Log logger = LogFactory.getLog(RouteLookupWebFilter.class);

	private final RouteFileRouteLocator routes;

	private final FilteringWebHandler handler;

	private final ManagementPort management;

	private final RouteCors routeCors = new RouteCors();

	/**
	 * False when SCG also has routes from its properties, which only its own lookup
	 * knows.
	 */
	private final boolean routesFromFilesOnly;

	/**
	 * What a not-ready answer's {@code Retry-After} says: when the route files are read
	 * again.
	 */
	private final long notReadyRetryAfterSeconds;

	RouteLookupWebFilter(RouteFileRouteLocator routes, FilteringWebHandler handler, ManagementPort management,
			boolean routesFromFilesOnly, Duration pollInterval) {
		this.routes = routes;
		this.handler = handler;
		this.management = management;
		this.routesFromFilesOnly = routesFromFilesOnly;
		this.notReadyRetryAfterSeconds = Math.max(1, (pollInterval.toMillis() + 999) / 1000);
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (!routesFromFilesOnly || management.serves(exchange)) {
			return chain.filter(exchange);
		}
		if (!routes.loaded()) {
			return Mono.error(new ProblemException(ProblemType.NOT_READY,
					"No valid route configuration has loaded yet; see the gateway's readiness for why.", Map.of(),
					notReadyRetryAfterSeconds, null));
		}
		List<RouteConfig.LoadedRoute> candidates = routes.inLookupOrder();
		boolean decided = true;
		for (RouteConfig.LoadedRoute candidate : candidates) {
			Predicate<ServerWebExchange> test = candidate.test();
			if (test == null) {
				// An asynchronous-only predicate: SCG's own lookup decides from this
				// route on.
				decided = false;
				break;
			}
			String id = candidate.route().getId();
			// As SCG's mapping does: predicates such as Path record what they matched
			// under this route id.
			exchange.getAttributes().put(GATEWAY_PREDICATE_ROUTE_ATTR, id);
			if (matches(test, id, exchange)) {
				exchange.getAttributes().remove(GATEWAY_PREDICATE_ROUTE_ATTR);
				exchange.getAttributes().put(GATEWAY_ROUTE_ATTR, candidate.route());
				if (logger.isDebugEnabled()) {
					logger.debug("Route matched: " + id);
				}
				CorsConfiguration cors = candidate.cors();
				if (cors != null && CorsUtils.isCorsRequest(exchange.getRequest())) {
					return routeCors.handle(exchange, cors, handler);
				}
				return handler.handle(exchange);
			}
		}
		exchange.getAttributes().remove(GATEWAY_PREDICATE_ROUTE_ATTR);
		if (decided && CorsUtils.isPreFlightRequest(exchange.getRequest())) {
			// No route takes the real request: its preflight is a 404 like it, not
			// WebFlux's empty 200.
			return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND));
		}
		return chain.filter(exchange);
	}

	private static boolean matches(Predicate<ServerWebExchange> test, String id, ServerWebExchange exchange) {
		try {
			return test.test(exchange);
		}
		catch (RuntimeException ex) {
			// SCG's mapping treats a failing predicate as no match, and logs it the same
			// way.
			logger.error("Error applying predicate for route: " + id, ex);
			return false;
		}
	}

	/**
	 * Last: after every other web filter, in place of the DispatcherHandler behind them.
	 */
	@Override
	public int getOrder() {
		return GatewayStage.ROUTE_LOOKUP.order();
	}

	/**
	 * Constant: WebFlux names each request's filter checkpoint by toString(), per
	 * request.
	 */
	@Override
	public String toString() {
		return "RouteLookupWebFilter";
	}

}
