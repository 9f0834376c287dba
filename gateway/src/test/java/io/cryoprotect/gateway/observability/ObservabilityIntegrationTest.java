package io.cryoprotect.gateway.observability;

import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.resilience.ResilienceConfig;
import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;

/**
 * The shared gateway with breakers of their own for each test: these tests provoke
 * upstream 5xx answers, which must not leave a breaker half-way to open for the test
 * classes that run after them.
 */
abstract class ObservabilityIntegrationTest extends GatewayIntegrationTest {

	@Autowired
	private ConfigReloader<ResilienceConfig> resilience;

	/**
	 * The base class resets every breaker after each test, and restores the original file
	 * afterwards. These tests count what the picked colour answers: an open breaker must
	 * reject, not fall back to green.
	 */
	@BeforeEach
	void noFallbackToGreen() {
		String original = FILTERS.original("resilience.yml");
		String variant = original.replace("    fallback: {colour: green}\n", "");
		if (variant.equals(original) || variant.contains("fallback: {")) {
			throw new IllegalStateException(
					"resilience.yml no longer has the flask-api fallback line; update this test base");
		}
		FILTERS.swap("resilience.yml", variant);
		resilience.reloadNow();
	}

}
