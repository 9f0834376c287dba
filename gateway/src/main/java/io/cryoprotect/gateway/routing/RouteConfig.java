package io.cryoprotect.gateway.routing;

import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.server.ServerWebExchange;

/**
 * One validated, fully built set of routes: what the gateway serves until the next valid
 * edit. {@code lookupOrder} holds the same routes in the order SCG's route cache sorts
 * them (by route order, stable): what its route predicate handler mapping tries, first
 * match wins.
 */
public record RouteConfig(List<LoadedRoute> routes, List<LoadedRoute> lookupOrder) {

	public RouteConfig(List<LoadedRoute> routes) {
		this(routes, routes.stream().sorted(Comparator.comparingInt(route -> route.route().getOrder())).toList());
	}

	/**
	 * A key of every route's SCG metadata: {@code true} where the route file sets
	 * {@code websocket: true}. The gateway sets it, over any metadata value of that name.
	 */
	public static final String WEBSOCKET_METADATA = "websocket";

	/**
	 * A route as the operator wrote it, with its colour plan and the SCG route built from
	 * both; {@code test} is the route's predicate in plain form, null when a predicate is
	 * asynchronous only; {@code cors} the CORS the gateway answers for it, null when the
	 * upstream answers CORS itself.
	 */
	public record LoadedRoute(String file, String service, RouteFile.Route spec, ColourPlan plan, Route route,
			Predicate<ServerWebExchange> test, CorsConfiguration cors) {
	}

	@Override
	public String toString() {
		return routes.size() + " routes " + routes.stream().map(r -> r.plan().toString()).toList();
	}

}
