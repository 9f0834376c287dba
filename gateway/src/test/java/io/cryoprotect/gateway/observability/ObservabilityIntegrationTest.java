package io.cryoprotect.gateway.observability;

import java.util.concurrent.atomic.AtomicInteger;

import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.resilience.ResilienceConfig;
import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;

/**
 * The shared gateway with breakers of their own for each test: these tests provoke upstream 5xx answers,
 * which must not leave a breaker half-way to open for the test classes that run after them.
 */
abstract class ObservabilityIntegrationTest extends GatewayIntegrationTest {

	private static final AtomicInteger generation = new AtomicInteger();

	@Autowired
	private ConfigReloader<ResilienceConfig> resilience;

	/** Breakers are rebuilt when their settings change; the base class restores the original file afterwards. */
	@BeforeEach
	void breakersOfThisTestOnly() {
		String original = FILTERS.original("resilience.yml");
		String variant = original.replace("slidingWindowSize: 20", "slidingWindowSize: " + (1000 + generation.incrementAndGet()))
			// These tests count what the picked colour answers: an open breaker must reject, not fall back to green.
			.replace("    fallback: {colour: green}\n", "");
		if (!variant.contains("slidingWindowSize: " + (1000 + generation.get())) || variant.contains("fallback: {")) {
			throw new IllegalStateException("resilience.yml no longer has 'slidingWindowSize: 20' or the flask-api "
					+ "fallback line; update this test base");
		}
		FILTERS.swap("resilience.yml", variant);
		resilience.reloadNow();
	}

}
