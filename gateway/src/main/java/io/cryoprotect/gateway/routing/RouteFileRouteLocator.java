package io.cryoprotect.gateway.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import reactor.core.publisher.Flux;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;

/**
 * Serves the routes of the live {@link RouteConfig}. A reload swaps the whole config in one
 * atomic step; requests already routed keep the route objects they matched.
 */
public class RouteFileRouteLocator implements RouteLocator {

	private final AtomicReference<RouteConfig> live = new AtomicReference<>();

	/** The live routes in the order SCG's route cache sorts them (by route order, stable). */
	private volatile List<RouteConfig.LoadedRoute> ordered = List.of();

	@Override
	public Flux<Route> getRoutes() {
		RouteConfig config = live.get();
		return config == null ? Flux.empty() : Flux.fromIterable(config.routes()).map(RouteConfig.LoadedRoute::route);
	}

	/** The live routes in lookup order: what SCG's route predicate handler mapping tries, first match wins. */
	List<RouteConfig.LoadedRoute> inLookupOrder() {
		return ordered;
	}

	void swap(RouteConfig config) {
		List<RouteConfig.LoadedRoute> sorted = new ArrayList<>(config.routes());
		sorted.sort(Comparator.comparingInt(route -> route.route().getOrder()));
		live.set(config);
		ordered = List.copyOf(sorted);
	}

}
