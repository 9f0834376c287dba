package io.cryoprotect.gateway.resilience;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * Parts of {@code filters-conf/resilience.yml} bound after its schema
 * ({@code filters-conf/resilience.schema.json}) checked them; presets are bound only once
 * a route's overrides are merged into them, upstream sections once merged into the
 * defaults.
 */
record ResilienceFile() {

	/**
	 * Timeouts and retries for one kind of operation, complete after overrides are
	 * merged.
	 */
	record Preset(Duration connectTimeout, Duration responseTimeout, Duration requestTimeout, Retry retry) {
	}

	/** Retry behaviour; attempts count the first try. */
	record Retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier, double jitter,
			List<String> retryOn, Duration maxRetryAfter) {
	}

	/**
	 * Which preset a route uses, per-method presets, single-field overrides and a
	 * fallback.
	 */
	record RouteBinding(String preset, Map<String, String> methods, JsonNode overrides,
			ResilienceConfig.Fallback fallback) {
	}

}
