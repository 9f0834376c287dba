package io.cryoprotect.gateway.resilience;

import java.util.List;
import java.util.Map;

/**
 * The operator-facing format of {@code filters-conf/resilience.yml}. Every field of a preset
 * or upstream section is optional so that a route or upstream can override single fields;
 * durations are strings such as {@code 250ms}, {@code 15s}, {@code 1m}. Keys are strict.
 */
public record ResilienceFile(String defaultPreset, Map<String, Preset> presets, Map<String, RouteBinding> routes,
		Map<String, Upstream> upstreams) {

	/** Timeouts and retries for one kind of operation (read, write, heavy calculation). */
	public record Preset(String connectTimeout, String responseTimeout, String requestTimeout, Retry retry) {
	}

	/** Retry behaviour; attempts count the first try. */
	public record Retry(Integer maxAttempts, String initialBackoff, String maxBackoff, Double multiplier, Double jitter,
			List<String> retryOn, String maxRetryAfter) {
	}

	/** Which preset a route uses, per-method presets, single-field overrides and a fallback. */
	public record RouteBinding(String preset, Map<String, String> methods, Preset overrides, Fallback fallback) {
	}

	/** Where requests go while the picked colour's breaker is open: another colour, or a URI. */
	public record Fallback(String colour, String uri) {
	}

	/** Per upstream service (a route file's name): breaker, retry budget, pool and health check. */
	public record Upstream(Breaker breaker, RetryBudget retryBudget, Pool pool, HealthCheck healthCheck) {
	}

	/** Resilience4j circuit breaker settings (count-based sliding window). */
	public record Breaker(Integer failureRateThreshold, Integer slowCallRateThreshold, String slowCallDuration,
			Integer slidingWindowSize, Integer minimumNumberOfCalls, String waitInOpenState,
			Integer permittedCallsInHalfOpenState) {
	}

	/** Retries allowed as a share of live requests over a window, plus a small floor per second. */
	public record RetryBudget(Double ratio, Double minRetriesPerSecond, String window) {
	}

	/** The upstream's own connection pool. */
	public record Pool(Integer maxConnections, Integer pendingAcquireMaxCount, String pendingAcquireTimeout,
			String maxIdleTime, String maxLifeTime, String evictionInterval) {
	}

	/** Active health probing of each colour of the upstream. */
	public record HealthCheck(Boolean enabled, String path, String interval, String timeout, Integer healthyThreshold,
			Integer unhealthyThreshold) {
	}

}
