package io.cryoprotect.gateway.observability;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the request observers: metrics, access log, slow-request log and error groups. */
@Configuration(proxyBeanMethods = false)
class ObservabilityConfiguration {

	@Bean
	RequestMetrics requestMetrics(MeterRegistry meters) {
		return new RequestMetrics(meters);
	}

	@Bean
	ErrorGroups errorGroups(ObservabilityProperties properties) {
		return new ErrorGroups(Clock.systemUTC(), properties.errorGroups());
	}

	@Bean
	ObservabilityWebFilter observabilityWebFilter(RequestMetrics metrics, ErrorGroups errorGroups,
			ObservabilityProperties properties) {
		return new ObservabilityWebFilter(metrics, new AccessLog(properties.accessLog()), errorGroups,
				properties.slowRequest(), Clock.systemUTC());
	}

	@Bean
	UpstreamTimingFilter upstreamTimingFilter(RequestMetrics metrics) {
		return new UpstreamTimingFilter(metrics);
	}

	@Bean
	EdgePhaseFilter edgePhaseFilter() {
		return new EdgePhaseFilter();
	}

	@Bean
	ErrorGroupsEndpoint errorGroupsEndpoint(ErrorGroups errorGroups) {
		return new ErrorGroupsEndpoint(errorGroups);
	}

}
