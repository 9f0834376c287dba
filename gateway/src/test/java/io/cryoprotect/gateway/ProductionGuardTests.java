package io.cryoprotect.gateway;

import java.util.List;
import java.util.Map;

import io.cryoprotect.gateway.support.StandaloneGateway;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.GenericBeanDefinition;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The {@code prod} profile refuses the demo stand-ins and every setting
 * {@link ProductionGuard#UNSAFE} lists, naming each and never its value, before the
 * gateway opens a port; with safe settings it starts.
 */
class ProductionGuardTests {

	private static final String HMAC_SECRET = "prod-guard-test-secret-0123456789abcdef";

	@Test
	void prodWithoutTokenVerificationRefusesToStart() {
		assertThatIllegalStateException().isThrownBy(() -> StandaloneGateway.start("--spring.profiles.active=prod"))
			.withMessageStartingWith("The 'prod' profile refuses to start: ")
			.withMessageContaining("setting 'SUPABASE_JWKS_URL / SUPABASE_JWT_SECRET")
			.withMessageContaining("no token is verified");
	}

	@Test
	void prodWithTheDemoProfileRefusesToStartNamingItsBeans() {
		// The demo profile brings its own signing key, so only the stand-ins are refused.
		assertThatIllegalStateException()
			.isThrownBy(() -> StandaloneGateway.start("--spring.profiles.active=prod,demo"))
			.withMessageContaining("setting 'spring.profiles.active': the demo profile")
			.withMessageContaining("bean 'demoUpstreams' (io.cryoprotect.gateway.demo.DemoUpstreams): a demo stand-in")
			.withMessageNotContaining("SUPABASE_JWKS_URL");
	}

	@Test
	void prodWithSafeSettingsStarts() {
		try (ConfigurableApplicationContext gateway = StandaloneGateway.start("--spring.profiles.active=prod",
				"--gateway.identity.jwt.hmac-secret=" + HMAC_SECRET)) {
			assertThat(gateway.getEnvironment().getActiveProfiles()).containsExactly("prod");
			assertThat(StandaloneGateway.port(gateway)).isNotEqualTo(StandaloneGateway.managementPort(gateway));
		}
	}

	@Test
	void otherProfilesAreNotChecked() {
		try (ConfigurableApplicationContext gateway = StandaloneGateway.start("--spring.profiles.active=staging")) {
			assertThat(gateway.getEnvironment().getProperty("gateway.identity.jwt.hmac-secret")).isEmpty();
		}
	}

	@Test
	void everyUnsafeSettingIsNamedWithoutItsValue() {
		StandardEnvironment environment = environment(Map.of("server.port", "8080", "management.server.port", "8080",
				"management.endpoints.web.exposure.include", "health, env", "management.endpoint.env.show-values",
				"ALWAYS", "management.endpoint.configprops.show-values", "when-authorized",
				"gateway.identity.jwt.hmac-secret", HMAC_SECRET));
		DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
		GenericBeanDefinition standIn = new GenericBeanDefinition();
		standIn.setBeanClassName("io.cryoprotect.gateway.demo.DemoUpstreams");
		beans.registerBeanDefinition("standIn", standIn);

		List<String> problems = ProductionGuard.problems(environment, beans);
		assertThat(problems).containsExactly(
				"setting 'management.server.port': the management endpoints (configuration, upstreams, metrics) need a "
						+ "port of their own, never the public server.port",
				"setting 'management.endpoints.web.exposure.include': the env and heapdump endpoints (or '*') would show "
						+ "secrets",
				"setting 'management.endpoint.env.show-values': configuration values, secrets among them, must stay redacted",
				"setting 'management.endpoint.configprops.show-values': configuration values, secrets among them, must "
						+ "stay redacted",
				"bean 'standIn' (io.cryoprotect.gateway.demo.DemoUpstreams): a demo stand-in");
		assertThat(String.join("; ", problems)).doesNotContain(HMAC_SECRET);
	}

	@Test
	void tokenVerificationAndAManagementPortOfItsOwnAreRequired() {
		StandardEnvironment environment = environment(Map.of("management.server.port", "8081",
				"management.endpoints.web.exposure.include", "health,prometheus,info", "gateway.identity.jwt.jwks-uri",
				"https://project.supabase.test/auth/v1/jwks"));
		assertThat(ProductionGuard.problems(environment, new DefaultListableBeanFactory())).isEmpty();
		environment.getPropertySources().remove("test");
		assertThat(ProductionGuard.problems(environment, new DefaultListableBeanFactory())).hasSize(2)
			.anySatisfy(problem -> assertThat(problem).startsWith("setting 'management.server.port'"))
			.anySatisfy(problem -> assertThat(problem).startsWith("setting 'SUPABASE_JWKS_URL / SUPABASE_JWT_SECRET"));
	}

	private static StandardEnvironment environment(Map<String, Object> properties) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
		environment.setActiveProfiles(ProductionGuard.PROFILE);
		return environment;
	}

}
