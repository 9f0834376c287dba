package io.cryoprotect.gateway.validation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Registers the validation counters per endpoint when a config loads, so a request only
 * increments: {@code gateway_validation_requests_total{route,endpoint,outcome}} with
 * outcome {@code valid}, {@code rejected} or {@code shadow_rejected}, and
 * {@code gateway_validation_response_violations_total{route,endpoint}}. The endpoint tag
 * is the configured id, never a raw path, so cardinality stays that of validation.yml.
 */
final class ValidationMetrics {

	private final MeterRegistry meters;

	ValidationMetrics(MeterRegistry meters) {
		this.meters = meters;
	}

	/**
	 * The counters of one endpoint; {@code responseViolations} is null unless it has a
	 * response schema.
	 */
	record EndpointMeters(Counter valid, Counter rejected, Counter shadowRejected, Counter responseViolations) {
	}

	EndpointMeters forEndpoint(String route, String endpoint, boolean checksResponses) {
		return new EndpointMeters(requests(route, endpoint, "valid"), requests(route, endpoint, "rejected"),
				requests(route, endpoint, "shadow_rejected"),
				checksResponses ? Counter.builder("gateway.validation.response.violations")
					.description("Upstream responses that broke their endpoint's response schema (shadow only)")
					.tag("route", route)
					.tag("endpoint", endpoint)
					.register(meters) : null);
	}

	private Counter requests(String route, String endpoint, String outcome) {
		return Counter.builder("gateway.validation.requests")
			.description("Requests checked by validation, by outcome")
			.tag("route", route)
			.tag("endpoint", endpoint)
			.tag("outcome", outcome)
			.register(meters);
	}

}
