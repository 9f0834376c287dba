package io.cryoprotect.gateway.observability;

import java.time.Clock;

import io.cryoprotect.gateway.edge.ManagementPort;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the request observers: metrics, access log, slow-request log and error groups.
 * {@code gateway.observability.enabled=false} turns the per-request observers off, for
 * the benchmark that measures what they cost.
 */
@Configuration(proxyBeanMethods = false)
class ObservabilityConfiguration {

	static final String ENABLED = "gateway.observability.enabled";

	@Bean
	RequestMetrics requestMetrics(MeterRegistry meters) {
		return new RequestMetrics(meters);
	}

	/**
	 * Always on: the hooks cost a context lookup per upstream request, and new
	 * connections are rare.
	 */
	@Bean
	UpstreamPhases upstreamPhases(RequestMetrics metrics) {
		return new UpstreamPhases(metrics);
	}

	@Bean
	ErrorGroups errorGroups(ObservabilityProperties properties) {
		return new ErrorGroups(Clock.systemUTC(), properties.errorGroups());
	}

	@Bean
	@ConditionalOnBooleanProperty(name = ENABLED, matchIfMissing = true)
	ObservabilityWebFilter observabilityWebFilter(RequestMetrics metrics, ErrorGroups errorGroups,
			ObservabilityProperties properties, ManagementPort management) {
		return new ObservabilityWebFilter(metrics, new AccessLog(properties.accessLog()), errorGroups,
				properties.slowRequest(), Clock.systemUTC(), management);
	}

	@Bean
	@ConditionalOnBooleanProperty(name = ENABLED, matchIfMissing = true)
	EdgePhaseFilter edgePhaseFilter() {
		return new EdgePhaseFilter();
	}

	@Bean
	ErrorGroupsEndpoint errorGroupsEndpoint(ErrorGroups errorGroups) {
		return new ErrorGroupsEndpoint(errorGroups);
	}

}
