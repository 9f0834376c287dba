package io.cryoprotect.gateway.resilience;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/** {@code GET :8081/actuator/gatewayupstreams}: circuit breaker state per upstream colour. */
@Endpoint(id = "gatewayupstreams")
class ResilienceStatusEndpoint {

	private final CircuitBreakers breakers;

	ResilienceStatusEndpoint(CircuitBreakers breakers) {
		this.breakers = breakers;
	}

	@ReadOperation
	Map<String, Object> status() {
		Map<String, Object> status = new LinkedHashMap<>();
		status.put("breakers", breakers.states());
		return status;
	}

}
