package io.cryoprotect.gateway.ratelimit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code gateway_ratelimit_requests_total{route,tier,limit,result}} with result allowed,
 * rejected or shadow_rejected, and {@code gateway_ratelimit_degraded_decisions_total{route,tier,limit}}
 * for decisions taken while Redis was unavailable. Tagged per route, tier and limit, never per key.
 */
final class RateLimitMetrics {

	private final MeterRegistry meters;

	private final Map<String, Counter> counters = new ConcurrentHashMap<>();

	RateLimitMetrics(MeterRegistry meters) {
		this.meters = meters;
	}

	void decision(String route, RateLimitConfig.Tier tier, String limit, String result) {
		counters.computeIfAbsent("r|" + route + '|' + tier + '|' + limit + '|' + result, k -> Counter
			.builder("gateway.ratelimit.requests")
			.description("Rate-limit decisions per limit: allowed, rejected, or rejected in shadow mode and forwarded")
			.tag("route", route).tag("tier", tier.name()).tag("limit", limit).tag("result", result)
			.register(meters)).increment();
	}

	void degraded(String route, RateLimitConfig.Tier tier, String limit) {
		counters.computeIfAbsent("d|" + route + '|' + tier + '|' + limit, k -> Counter
			.builder("gateway.ratelimit.degraded.decisions")
			.description("Rate-limit decisions taken by the fallback while Redis was unavailable")
			.tag("route", route).tag("tier", tier.name()).tag("limit", limit)
			.register(meters)).increment();
	}

}
