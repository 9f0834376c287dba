package io.cryoprotect.gateway.routing;

import java.util.Comparator;
import java.util.List;

import reactor.core.publisher.Flux;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;

/**
 * Serves the routes of the live {@link RouteConfig}. A reload swaps the whole set in one
 * volatile write; requests already routed keep the route objects they matched.
 */
public class RouteFileRouteLocator implements RouteLocator {

	/** The live routes in the order SCG's route cache sorts them (by route order, stable). */
	private volatile List<RouteConfig.LoadedRoute> ordered = List.of();

	private volatile boolean loaded;

	@Override
	public Flux<Route> getRoutes() {
		return Flux.fromIterable(ordered).map(RouteConfig.LoadedRoute::route);
	}

	/** The live routes in lookup order: what SCG's route predicate handler mapping tries, first match wins. */
	List<RouteConfig.LoadedRoute> inLookupOrder() {
		return ordered;
	}

	/** Whether a valid route set was ever loaded. */
	boolean loaded() {
		return loaded;
	}

	void swap(RouteConfig config) {
		ordered = config.routes().stream().sorted(Comparator.comparingInt(route -> route.route().getOrder())).toList();
		loaded = true;
	}

}
