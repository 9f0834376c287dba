package io.cryoprotect.gateway.routing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code GET :8081/actuator/gatewayroutes}: the live route config (version, load time,
 * routes with their colour weights) and the last rejected edit with its reasons.
 */
@Endpoint(id = "gatewayroutes")
class RoutingStatusEndpoint {

	private final RoutingProperties properties;

	private final RouteFileRouteLocator locator;

	private final RouteReloader reloader;

	RoutingStatusEndpoint(RoutingProperties properties, RouteFileRouteLocator locator, RouteReloader reloader) {
		this.properties = properties;
		this.locator = locator;
		this.reloader = reloader;
	}

	@ReadOperation
	Map<String, Object> status() {
		Map<String, Object> status = new LinkedHashMap<>();
		status.put("dir", properties.dir());
		RouteConfig live = locator.live();
		status.put("version", live == null ? null : live.version());
		status.put("loadedAt", live == null ? null : live.loadedAt().toString());
		status.put("routes", live == null ? List.of() : live.routes().stream().map(RoutingStatusEndpoint::describe).toList());
		RouteReloader.Rejection rejection = reloader.lastRejection();
		if (rejection != null) {
			Map<String, Object> last = new LinkedHashMap<>();
			last.put("version", rejection.version());
			last.put("at", rejection.at().toString());
			last.put("problems", rejection.problems().stream().map(p -> {
				Map<String, Object> problem = new LinkedHashMap<>();
				problem.put("file", p.file());
				problem.put("key", p.key());
				problem.put("value", p.value());
				problem.put("reason", p.reason());
				problem.put("message", p.toString());
				return problem;
			}).toList());
			status.put("lastRejection", last);
		}
		else {
			status.put("lastRejection", null);
		}
		status.put("reloads", Map.of("applied", (long) reloader.appliedCount(), "rejected", (long) reloader.rejectedCount()));
		return status;
	}

	private static Map<String, Object> describe(RouteConfig.LoadedRoute route) {
		Map<String, Object> out = new LinkedHashMap<>();
		RouteFile.Route spec = route.spec();
		out.put("id", spec.id());
		out.put("file", route.file());
		out.put("order", spec.orderOrDefault());
		out.put("paths", spec.match().paths());
		out.put("methods", spec.match().methods() == null ? List.of() : spec.match().methods());
		out.put("sticky", spec.stickyOrDefault().name());
		out.put("owner", spec.metadata().get("owner"));
		out.put("upstreams", route.plan().colours().stream().map(c -> {
			Map<String, Object> colour = new LinkedHashMap<>();
			colour.put("colour", c.name());
			colour.put("uri", c.uri().toString());
			colour.put("weight", c.weight());
			return colour;
		}).toList());
		return out;
	}

}
