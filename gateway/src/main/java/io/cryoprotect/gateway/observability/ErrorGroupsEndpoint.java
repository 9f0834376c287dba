package io.cryoprotect.gateway.observability;

import java.util.List;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code GET :8081/actuator/gatewayerrors}: the error groups, most recently seen first.
 */
@Endpoint(id = "gatewayerrors")
class ErrorGroupsEndpoint {

	private final ErrorGroups errorGroups;

	ErrorGroupsEndpoint(ErrorGroups errorGroups) {
		this.errorGroups = errorGroups;
	}

	@ReadOperation
	Map<String, List<ErrorGroups.Group>> groups() {
		return Map.of("groups", errorGroups.groups());
	}

}
