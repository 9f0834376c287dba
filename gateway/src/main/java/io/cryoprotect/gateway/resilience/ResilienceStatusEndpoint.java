package io.cryoprotect.gateway.resilience;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/** {@code GET :8081/actuator/gatewayupstreams}: circuit breaker state and health verdict per upstream colour. */
@Endpoint(id = "gatewayupstreams")
class ResilienceStatusEndpoint {

	private final CircuitBreakers breakers;

	private final ObjectProvider<ActiveHealthChecks> healthChecks;

	ResilienceStatusEndpoint(CircuitBreakers breakers, ObjectProvider<ActiveHealthChecks> healthChecks) {
		this.breakers = breakers;
		this.healthChecks = healthChecks;
	}

	@ReadOperation
	Map<String, Object> status() {
		Map<String, Object> status = new LinkedHashMap<>();
		status.put("breakers", breakers.states());
		ActiveHealthChecks checks = healthChecks.getIfAvailable();
		status.put("health", checks == null ? Map.of() : checks.verdicts());
		return status;
	}

}
