package io.cryoprotect.gateway.routing;

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

	@Override
	public Flux<Route> getRoutes() {
		RouteConfig config = live.get();
		return config == null ? Flux.empty() : Flux.fromIterable(config.routes()).map(RouteConfig.LoadedRoute::route);
	}

	void swap(RouteConfig config) {
		live.set(config);
	}

}
