package io.cryoprotect.gateway.resilience;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.cryoprotect.gateway.configfile.RouteReference;
import io.cryoprotect.gateway.proxy.PoolSettings;

import org.springframework.http.HttpMethod;

/**
 * The validated, merged form of {@code resilience.yml}: per route and method the
 * effective policy (preset plus overrides), per upstream service the breaker, budget,
 * pool and health check settings, and where the file names routes. Immutable; a reload
 * builds a new one.
 */
public record ResilienceConfig(Policy defaultPolicy, Map<String, RoutePolicies> routes, UpstreamPolicy defaultUpstream,
		Map<String, UpstreamPolicy> upstreams, List<RouteReference> routeReferences) {

	/** The policy for a request on {@code routeId} with {@code method}. */
	public Policy policy(String routeId, HttpMethod method) {
		RoutePolicies route = routes.get(routeId);
		if (route == null) {
			return defaultPolicy;
		}
		Policy byMethod = route.byMethod().get(method);
		return byMethod != null ? byMethod : route.policy();
	}

	public Fallback fallback(String routeId) {
		RoutePolicies route = routes.get(routeId);
		return route == null ? null : route.fallback();
	}

	public UpstreamPolicy upstream(String service) {
		return upstreams.getOrDefault(service, defaultUpstream);
	}

	@Override
	public String toString() {
		return "presets for routes " + routes.keySet() + ", upstreams " + upstreams.keySet();
	}

	/** A route's policy, its per-method policies and its fallback. */
	public record RoutePolicies(Policy policy, Map<HttpMethod, Policy> byMethod, Fallback fallback) {
	}

	/**
	 * Where to send requests the picked colour cannot take (breaker open, no weighted
	 * colour healthy, connection failed): a colour name or a URI.
	 */
	public record Fallback(String colour, URI uri) {
	}

	/** Effective timeouts and retry for one request. */
	public record Policy(String preset, Duration connectTimeout, Duration responseTimeout, Duration requestTimeout,
			RetryPolicy retry) {
	}

	/**
	 * When and how to retry: only idempotent requests (POST and PATCH only with an
	 * {@code Idempotency-Key}), on the listed conditions, with capped exponential
	 * backoff.
	 */
	public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier,
			double jitter, Set<Integer> statuses, boolean onConnectFailure, boolean onReset, boolean onTimeout,
			Duration maxRetryAfter) {

		/**
		 * The wait before retry number {@code retry} (1 for the first retry):
		 * exponential, capped, with up to {@code jitter} of it taken away at random so
		 * that clients retrying together spread out. {@code random} is uniform in [0,1).
		 */
		public Duration backoff(int retry, double random) {
			double exponential = initialBackoff.toNanos() * Math.pow(multiplier, retry - 1);
			double capped = Math.min(exponential, maxBackoff.toNanos());
			return Duration.ofNanos((long) (capped * (1 - jitter * random)));
		}

	}

	/** Per upstream service settings. */
	public record UpstreamPolicy(BreakerSettings breaker, BudgetSettings budget, PoolSettings pool,
			HealthCheckSettings healthCheck) {
	}

	/** Resilience4j breaker settings. */
	public record BreakerSettings(int failureRateThreshold, int slowCallRateThreshold, Duration slowCallDuration,
			int slidingWindowSize, int minimumNumberOfCalls, Duration waitInOpenState,
			int permittedCallsInHalfOpenState) {
	}

	/** Retry budget settings. */
	public record BudgetSettings(double ratio, double minRetriesPerSecond, Duration window) {
	}

	/** Active health check settings. */
	public record HealthCheckSettings(boolean enabled, String path, Duration interval, Duration timeout,
			int healthyThreshold, int unhealthyThreshold) {
	}

}
