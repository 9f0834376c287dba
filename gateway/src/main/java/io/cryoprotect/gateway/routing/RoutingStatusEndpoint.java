package io.cryoprotect.gateway.routing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.configfile.ConfigStatusEndpoint;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code GET :8081/actuator/gatewayroutes}: the live route config (version, load time,
 * routes with their colour weights) and the last rejected edit with its reasons.
 */
@Endpoint(id = "gatewayroutes")
class RoutingStatusEndpoint {

	private final ConfigReloader<RouteConfig> reloader;

	RoutingStatusEndpoint(ConfigReloader<RouteConfig> reloader) {
		this.reloader = reloader;
	}

	@ReadOperation
	Map<String, Object> status() {
		Map<String, Object> status = new LinkedHashMap<>(ConfigStatusEndpoint.describe(reloader));
		ConfigReloader.Loaded<RouteConfig> live = reloader.live();
		status.put("routes", live == null ? List.of()
				: live.value().routes().stream().map(RoutingStatusEndpoint::describe).toList());
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
		// passthrough: the upstream answers CORS; answered: the route's cors block does.
		out.put("cors", route.cors() == null ? "passthrough" : "answered");
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
