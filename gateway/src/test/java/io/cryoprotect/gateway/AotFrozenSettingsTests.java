package io.cryoprotect.gateway;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/** What AOT's build-time bean definitions cannot honour, checked on real environments. */
class AotFrozenSettingsTests {

	private static StandardEnvironment environment(Map<String, Object> properties, String... profiles) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
		environment.setActiveProfiles(profiles);
		return environment;
	}

	@Test
	void theShippedSettingsPass() {
		assertThat(AotFrozenSettings.problems(environment(Map.of("management.server.port", "8081")))).isEmpty();
		assertThat(AotFrozenSettings.problems(environment(
				Map.of("management.server.port", "18093", "server.port", "18083", "gateway.ratelimit.enabled", "true"),
				"bench")))
			.isEmpty();
	}

	@Test
	void aPolicySwitchedOffIsNamedWithItsValue() {
		assertThat(AotFrozenSettings.problems(environment(Map.of("management.server.port", "8081",
				"gateway.resilience.enabled", "false", "gateway.observability.enabled", " FALSE "))))
			.containsExactly("key 'gateway.resilience.enabled' value 'false': the policy stays on under AOT",
					"key 'gateway.observability.enabled' value ' FALSE ': the policy stays on under AOT");
	}

	@Test
	void theStockPathIsRefusedUnderAotAndTheFastPathPasses() {
		assertThat(AotFrozenSettings
			.problems(environment(Map.of("management.server.port", "8081", "gateway.proxy.fast-path", "false"))))
			.containsExactly("key 'gateway.proxy.fast-path' value 'false': under AOT the fast path stays on and "
					+ "Spring Cloud Gateway's routing filter off");
		assertThat(AotFrozenSettings
			.problems(environment(Map.of("management.server.port", "8081", "gateway.proxy.fast-path", "true"))))
			.isEmpty();
	}

	@Test
	void theDemoProfileAndASharedManagementPortAreRefused() {
		assertThat(AotFrozenSettings.problems(environment(Map.of("management.server.port", "8080"), "demo"))).hasSize(2)
			.anySatisfy(p -> assertThat(p).startsWith("key 'spring.profiles.active' value 'demo'"))
			.anySatisfy(p -> assertThat(p).startsWith("key 'management.server.port' value '8080'"));
		assertThat(AotFrozenSettings.problems(environment(Map.of("management.server.port", "-1")))).singleElement()
			.asString()
			.startsWith("key 'management.server.port' value '-1'");
	}

}
