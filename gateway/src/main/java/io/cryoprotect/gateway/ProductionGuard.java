package io.cryoprotect.gateway;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/**
 * The one place that decides what the {@code prod} profile refuses to start with: the
 * demo profile's stand-ins (its profile, or any bean of the {@code demo} package) and
 * every setting in {@link #UNSAFE}. A feature whose setting must never reach production
 * adds an entry there. It runs once the bean definitions are known and before any bean is
 * created, so a refused gateway never opens a port. The message names each setting and
 * why, never its value: some of them are secrets.
 */
@Component
final class ProductionGuard implements BeanFactoryPostProcessor, EnvironmentAware {

	static final String PROFILE = "prod";

	private static final String DEMO_PACKAGE = "io.cryoprotect.gateway.demo.";

	/** Settings unsafe in production, each with the reason given when it is found. */
	static final List<UnsafeSetting> UNSAFE = List.of(
			new UnsafeSetting("spring.profiles.active", env -> Arrays.asList(env.getActiveProfiles()).contains("demo"),
					"the demo profile starts in-process stand-in upstreams and signs tokens with a key published in "
							+ "this repository"),
			new UnsafeSetting("SUPABASE_JWKS_URL / SUPABASE_JWT_SECRET (gateway.identity.jwt.jwks-uri / hmac-secret)",
					env -> !StringUtils.hasText(env.getProperty("gateway.identity.jwt.jwks-uri"))
							&& !StringUtils.hasText(env.getProperty("gateway.identity.jwt.hmac-secret")),
					"neither is set, so no token is verified and every caller is anonymous"),
			new UnsafeSetting("management.server.port", ProductionGuard::managementOnPublicPort,
					"the management endpoints (configuration, upstreams, metrics) need a port of their own, "
							+ "never the public server.port"),
			new UnsafeSetting("management.endpoints.web.exposure.include", env -> exposes(env, "*", "env", "heapdump"),
					"the env and heapdump endpoints (or '*') would show secrets"),
			new UnsafeSetting("management.endpoint.env.show-values", env -> showsValues(env, "env"),
					"configuration values, secrets among them, must stay redacted"),
			new UnsafeSetting("management.endpoint.configprops.show-values", env -> showsValues(env, "configprops"),
					"configuration values, secrets among them, must stay redacted"));

	private Environment environment;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
		if (!environment.acceptsProfiles(Profiles.of(PROFILE))) {
			return;
		}
		List<String> problems = problems(environment, beanFactory);
		if (!problems.isEmpty()) {
			throw new IllegalStateException(
					"The '" + PROFILE + "' profile refuses to start: " + String.join("; ", problems));
		}
	}

	/**
	 * What {@code environment} and {@code beanFactory} hold that production must not run
	 * with.
	 */
	static List<String> problems(Environment environment, ConfigurableListableBeanFactory beanFactory) {
		List<String> problems = new ArrayList<>();
		for (UnsafeSetting setting : UNSAFE) {
			if (setting.unsafe().test(environment)) {
				problems.add("setting '" + setting.key() + "': " + setting.reason());
			}
		}
		for (String name : beanFactory.getBeanDefinitionNames()) {
			BeanDefinition definition = beanFactory.getBeanDefinition(name);
			String type = definition.getBeanClassName();
			if (type != null && type.startsWith(DEMO_PACKAGE)) {
				problems.add("bean '" + name + "' (" + type + "): a demo stand-in");
			}
		}
		return problems;
	}

	private static boolean managementOnPublicPort(Environment environment) {
		String management = environment.getProperty("management.server.port");
		if (management == null || management.isBlank()) {
			return true;
		}
		// 0 on both: each server on a free port of its own, as tests start the gateway.
		String port = management.strip();
		return !port.equals("0") && port.equals(environment.getProperty("server.port", "8080").strip());
	}

	private static boolean exposes(Environment environment, String... endpoints) {
		String include = environment.getProperty("management.endpoints.web.exposure.include", "");
		List<String> exposed = Arrays.stream(include.split(",")).map(String::strip).toList();
		return Arrays.stream(endpoints).anyMatch(exposed::contains);
	}

	private static boolean showsValues(Environment environment, String endpoint) {
		String showValues = environment.getProperty("management.endpoint." + endpoint + ".show-values", "never");
		return !showValues.strip().toLowerCase(Locale.ROOT).replace('_', '-').equals("never");
	}

	/**
	 * A setting production refuses.
	 *
	 * @param key what the operator sets, as the message names it
	 * @param unsafe whether the environment holds it
	 * @param reason why production refuses it
	 */
	record UnsafeSetting(String key, Predicate<Environment> unsafe, String reason) {
	}

}
