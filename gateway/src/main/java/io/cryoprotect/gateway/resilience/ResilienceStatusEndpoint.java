package io.cryoprotect.gateway.resilience;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import io.cryoprotect.gateway.routing.ColourPlan;
import io.cryoprotect.gateway.routing.RouteConfig;
import io.cryoprotect.gateway.routing.UpstreamColour;
import io.cryoprotect.gateway.routing.UpstreamHealth;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code GET :8081/actuator/gatewayupstreams}: circuit breaker state and health verdict
 * per upstream colour, and per route with a fallback whether the fallback takes traffic
 * now.
 */
@Endpoint(id = "gatewayupstreams")
class ResilienceStatusEndpoint {

	private static final String OPEN = "OPEN";

	private final CircuitBreakers breakers;

	private final ObjectProvider<ActiveHealthChecks> healthChecks;

	private final Supplier<RouteConfig> routes;

	private final Supplier<ResilienceConfig> policies;

	ResilienceStatusEndpoint(CircuitBreakers breakers, ObjectProvider<ActiveHealthChecks> healthChecks,
			Supplier<RouteConfig> routes, Supplier<ResilienceConfig> policies) {
		this.breakers = breakers;
		this.healthChecks = healthChecks;
		this.routes = routes;
		this.policies = policies;
	}

	@ReadOperation
	Map<String, Object> status() {
		Map<String, Object> status = new LinkedHashMap<>();
		Map<String, String> breakerStates = breakers.states();
		status.put("breakers", breakerStates);
		ActiveHealthChecks checks = healthChecks.getIfAvailable();
		status.put("health", checks == null ? Map.of() : checks.verdicts());
		status.put("fallbacks", fallbacks(breakerStates, checks == null ? UpstreamHealth.ALWAYS_HEALTHY : checks));
		return status;
	}

	/**
	 * Per route with a fallback: {@code standby} while its weighted colours take all
	 * traffic, {@code active} while some of it goes to the fallback (a weighted colour's
	 * breaker is open, or none passes its health check), {@code unavailable} when it
	 * should but cannot take it (unhealthy or its breaker open): those requests get 503.
	 */
	private Map<String, Object> fallbacks(Map<String, String> breakerStates, UpstreamHealth health) {
		RouteConfig routeConfig = routes.get();
		ResilienceConfig policy = policies.get();
		Map<String, Object> out = new LinkedHashMap<>();
		if (routeConfig == null || policy == null) {
			return out;
		}
		for (RouteConfig.LoadedRoute route : routeConfig.routes()) {
			ResilienceConfig.Fallback fallback = policy.fallback(route.route().getId());
			if (fallback == null) {
				continue;
			}
			String service = route.service();
			ColourPlan plan = route.plan();
			boolean anyHealthy = false;
			boolean anyOpen = false;
			for (UpstreamColour colour : plan.colours()) {
				if (colour.weight() > 0 && health.isHealthy(service, colour.name())) {
					anyHealthy = true;
					anyOpen |= OPEN.equals(breakerStates.get(service + "/" + colour.name()));
				}
			}
			String colour = fallback.uri() != null ? "fallback" : fallback.colour();
			String key = service + "/" + colour;
			boolean usable = (fallback.uri() != null
					|| (plan.colour(colour) != null && health.isHealthy(service, colour)))
					&& !OPEN.equals(breakerStates.get(key));
			String state = anyHealthy && !anyOpen ? "standby" : usable ? "active" : "unavailable";
			out.put(route.route().getId(), Map.of("upstream", key, "state", state));
		}
		return out;
	}

}
