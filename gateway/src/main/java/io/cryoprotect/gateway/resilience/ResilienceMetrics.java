package io.cryoprotect.gateway.resilience;

import io.cryoprotect.gateway.observability.MeterCache;
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

	private record RetryKey(String route, String upstream, String reason) {
	}

	private record TargetKey(String route, String upstream) {
	}

	private record FallbackKey(String route, String upstream, String fallback, String reason) {
	}

	private final MeterCache<RetryKey, Counter> retries;

	private final MeterCache<TargetKey, Counter> budgetExhausted;

	private final MeterCache<TargetKey, Counter> breakerRejected;

	private final MeterCache<FallbackKey, Counter> fallbacks;

	ResilienceMetrics(MeterRegistry meters) {
		this.retries = new MeterCache<>(k -> Counter.builder("gateway.retries")
			.description("Retried upstream attempts by cause")
			.tags("route", k.route(), "upstream", k.upstream(), "reason", k.reason())
			.register(meters));
		this.budgetExhausted = new MeterCache<>(k -> Counter.builder("gateway.retry.budget.exhausted")
			.description("Retries refused because the upstream's retry budget was spent")
			.tags("route", k.route(), "upstream", k.upstream())
			.register(meters));
		this.breakerRejected = new MeterCache<>(k -> Counter.builder("gateway.circuit.breaker.rejected")
			.description("Requests answered 503 at once because the upstream's breaker was open")
			.tags("route", k.route(), "upstream", k.upstream())
			.register(meters));
		this.fallbacks = new MeterCache<>(k -> Counter.builder("gateway.fallbacks")
			.description("Requests sent to the route's fallback because the picked colour could not take them")
			.tags("route", k.route(), "upstream", k.upstream(), "fallback", k.fallback(), "reason", k.reason())
			.register(meters));
	}

	void retry(String route, UpstreamTarget target, String reason) {
		retries.get(new RetryKey(route, target.key(), reason)).increment();
	}

	void budgetExhausted(String route, UpstreamTarget target) {
		budgetExhausted.get(new TargetKey(route, target.key())).increment();
	}

	void breakerRejected(String route, UpstreamTarget target) {
		breakerRejected.get(new TargetKey(route, target.key())).increment();
	}

	/**
	 * {@code reason}: breaker_open, unhealthy (no colour with weight passes its health
	 * check) or connect_failure.
	 */
	void fallback(String route, UpstreamTarget from, UpstreamTarget to, String reason) {
		fallbacks.get(new FallbackKey(route, from.key(), to.key(), reason)).increment();
	}

}
