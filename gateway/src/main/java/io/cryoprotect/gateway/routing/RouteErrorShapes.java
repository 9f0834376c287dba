package io.cryoprotect.gateway.routing;

import java.util.ArrayList;
import java.util.List;

import io.cryoprotect.gateway.edge.ManagementPort;
import io.cryoprotect.gateway.errors.ErrorShape;
import io.cryoprotect.gateway.errors.ErrorShapeResolver;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.http.server.PathContainer;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * The error shape of an exchange: its route's {@code errors:} key once routed. An error
 * answered before routing (an edge limit) or for want of a route (404) takes the shape of
 * the first route, in lookup order, whose path patterns and methods match, else of the
 * first whose path patterns match, so that a client of a service always gets that
 * service's shape; else the default.
 */
final class RouteErrorShapes implements ErrorShapeResolver {

	private record Candidate(String id, List<PathPattern> paths, List<String> methods, ErrorShape shape) {

		boolean matchesPath(PathContainer path) {
			for (PathPattern pattern : paths) {
				if (pattern.matches(path)) {
					return true;
				}
			}
			return false;
		}

	}

	/** The candidates of one route set, built at the first error after a reload. */
	private record Index(List<RouteConfig.LoadedRoute> source, List<Candidate> candidates) {
	}

	private final RouteFileRouteLocator routes;

	private final ManagementPort management;

	private final ErrorShape fallback;

	private volatile Index index = new Index(List.of(), List.of());

	RouteErrorShapes(RouteFileRouteLocator routes, ManagementPort management, ErrorShape fallback) {
		this.routes = routes;
		this.management = management;
		this.fallback = fallback;
	}

	@Override
	public ErrorShape shapeOf(ServerWebExchange exchange) {
		if (management.serves(exchange)) {
			return fallback;
		}
		List<Candidate> candidates = candidates();
		Route routed = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
		if (routed != null) {
			for (Candidate candidate : candidates) {
				if (candidate.id().equals(routed.getId())) {
					return candidate.shape();
				}
			}
			return fallback;
		}
		PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
		String method = exchange.getRequest().getMethod().name();
		Candidate byPath = null;
		for (Candidate candidate : candidates) {
			if (candidate.matchesPath(path)) {
				if (candidate.methods().isEmpty() || candidate.methods().contains(method)) {
					return candidate.shape();
				}
				byPath = byPath == null ? candidate : byPath;
			}
		}
		return byPath == null ? fallback : byPath.shape();
	}

	private List<Candidate> candidates() {
		List<RouteConfig.LoadedRoute> live = routes.inLookupOrder();
		Index current = index;
		if (current.source() != live) {
			List<Candidate> candidates = new ArrayList<>(live.size());
			for (RouteConfig.LoadedRoute route : live) {
				RouteFile.Route spec = route.spec();
				List<PathPattern> paths = spec.match()
					.paths()
					.stream()
					.map(PathPatternParser.defaultInstance::parse)
					.toList();
				List<String> methods = spec.match().methods() == null ? List.of() : spec.match().methods();
				candidates
					.add(new Candidate(spec.id(), paths, methods, spec.errors() == null ? fallback : spec.errors()));
			}
			current = new Index(live, candidates);
			index = current;
		}
		return current.candidates();
	}

}
