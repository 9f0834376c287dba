package io.cryoprotect.gateway.routing;

import java.util.List;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;

/**
 * Serves the routes of the live {@link RouteConfig}, read from the route reloader on each
 * call: a reload swaps the whole set at once; requests already routed keep the route
 * objects they matched.
 */
public class RouteFileRouteLocator implements RouteLocator {

	private final Supplier<RouteConfig> live;

	RouteFileRouteLocator(Supplier<RouteConfig> live) {
		this.live = live;
	}

	@Override
	public Flux<Route> getRoutes() {
		return Flux.fromIterable(inLookupOrder()).map(RouteConfig.LoadedRoute::route);
	}

	/**
	 * The live routes in lookup order: what SCG's route predicate handler mapping tries,
	 * first match wins.
	 */
	List<RouteConfig.LoadedRoute> inLookupOrder() {
		RouteConfig config = live.get();
		return config == null ? List.of() : config.lookupOrder();
	}

	/** Whether a valid route set was ever loaded. */
	boolean loaded() {
		return live.get() != null;
	}

}
