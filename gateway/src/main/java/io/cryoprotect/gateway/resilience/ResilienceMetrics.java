package io.cryoprotect.gateway.resilience;

import io.cryoprotect.gateway.support.UpstreamTarget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The resilience policy's counters, tagged by route and upstream colour only:
 * {@code gateway_retries_total{route,upstream,reason}},
 * {@code gateway_retry_budget_exhausted_total{route,upstream}},
 * {@code gateway_circuit_breaker_rejected_total{route,upstream}} and
 * {@code gateway_fallbacks_total{route,upstream,fallback,reason}}.
 */
final class ResilienceMetrics {

	private final MeterRegistry meters;

	ResilienceMetrics(MeterRegistry meters) {
		this.meters = meters;
	}

	void retry(String route, UpstreamTarget target, String reason) {
		Counter.builder("gateway.retries")
			.description("Retried upstream attempts by cause")
			.tags("route", route, "upstream", target.key(), "reason", reason)
			.register(meters)
			.increment();
	}

	void budgetExhausted(String route, UpstreamTarget target) {
		Counter.builder("gateway.retry.budget.exhausted")
			.description("Retries refused because the upstream's retry budget was spent")
			.tags("route", route, "upstream", target.key())
			.register(meters)
			.increment();
	}

	void breakerRejected(String route, UpstreamTarget target) {
		Counter.builder("gateway.circuit.breaker.rejected")
			.description("Requests answered 503 at once because the upstream's breaker was open")
			.tags("route", route, "upstream", target.key())
			.register(meters)
			.increment();
	}

	/** {@code reason}: breaker_open, unhealthy (no colour with weight passes its health check) or connect_failure. */
	void fallback(String route, UpstreamTarget from, UpstreamTarget to, String reason) {
		Counter.builder("gateway.fallbacks")
			.description("Requests sent to the route's fallback because the picked colour could not take them")
			.tags("route", route, "upstream", from.key(), "fallback", to.key(), "reason", reason)
			.register(meters)
			.increment();
	}

}
