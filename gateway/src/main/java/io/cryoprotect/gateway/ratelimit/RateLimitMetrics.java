package io.cryoprotect.gateway.ratelimit;

import io.cryoprotect.gateway.observability.MeterCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code gateway_ratelimit_requests_total{route,tier,limit,result}} with result allowed,
 * rejected or shadow_rejected, and
 * {@code gateway_ratelimit_degraded_decisions_total{route,tier,limit}} for decisions
 * taken while Redis was unavailable. Tagged per route, tier and limit, never per key.
 */
final class RateLimitMetrics {

	private record DecisionKey(String route, RateLimitConfig.Tier tier, String limit, String result) {
	}

	private record LimitKey(String route, RateLimitConfig.Tier tier, String limit) {
	}

	private final MeterCache<DecisionKey, Counter> decisions;

	private final MeterCache<LimitKey, Counter> degraded;

	RateLimitMetrics(MeterRegistry meters) {
		this.decisions = new MeterCache<>(k -> Counter.builder("gateway.ratelimit.requests")
			.description("Rate-limit decisions per limit: allowed, rejected, or rejected in shadow mode and forwarded")
			.tag("route", k.route())
			.tag("tier", k.tier().name())
			.tag("limit", k.limit())
			.tag("result", k.result())
			.register(meters));
		this.degraded = new MeterCache<>(k -> Counter.builder("gateway.ratelimit.degraded.decisions")
			.description("Rate-limit decisions taken by the fallback while Redis was unavailable")
			.tag("route", k.route())
			.tag("tier", k.tier().name())
			.tag("limit", k.limit())
			.register(meters));
	}

	void decision(String route, RateLimitConfig.Tier tier, String limit, String result) {
		decisions.get(new DecisionKey(route, tier, limit, result)).increment();
	}

	void degraded(String route, RateLimitConfig.Tier tier, String limit) {
		degraded.get(new LimitKey(route, tier, limit)).increment();
	}

}
