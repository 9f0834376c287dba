package io.cryoprotect.gateway;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import io.cryoprotect.gateway.proxy.FastPath;

import org.springframework.aot.AotDetector;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;

/**
 * Refuses to start from Spring AOT's generated bean definitions against settings that
 * those definitions fixed when the jar was built. The build evaluates the gateway's bean
 * switches with their defaults: every policy on, no profile, a management server on a
 * port of its own. Started with {@code -Dspring.aot.enabled=true} (the Docker image
 * does), a policy switched off, the demo profile or a shared management port would be
 * silently ignored, or fail later with a misleading error; this names the setting
 * instead. Without AOT every setting works as usual.
 */
final class AotFrozenSettings implements EnvironmentPostProcessor {

	static final List<String> POLICY_SWITCHES = List.of("gateway.ratelimit.enabled", "gateway.resilience.enabled",
			"gateway.observability.enabled");

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (!AotDetector.useGeneratedArtifacts()) {
			return;
		}
		List<String> problems = problems(environment);
		if (!problems.isEmpty()) {
			throw new IllegalStateException("Started with Spring AOT (spring.aot.enabled=true), whose bean definitions "
					+ "were fixed at build time with every policy on, no profile and a separate management port; "
					+ "start without -Dspring.aot.enabled=true to use these settings: " + String.join("; ", problems));
		}
	}

	/**
	 * The settings in {@code environment} that AOT's build-time bean definitions cannot
	 * honour.
	 */
	static List<String> problems(Environment environment) {
		List<String> problems = new ArrayList<>();
		for (String key : POLICY_SWITCHES) {
			String value = environment.getProperty(key);
			if (value != null && !Boolean.parseBoolean(value.strip())) {
				problems.add("key '" + key + "' value '" + value + "': the policy stays on under AOT");
			}
		}
		String fastPath = environment.getProperty(FastPath.PROPERTY);
		if (fastPath != null && !Boolean.parseBoolean(fastPath.strip())) {
			problems.add("key '" + FastPath.PROPERTY + "' value '" + fastPath
					+ "': under AOT the fast path stays on and Spring Cloud Gateway's routing filter off");
		}
		String[] profiles = environment.getActiveProfiles();
		if (Arrays.asList(profiles).contains("demo")) {
			problems.add("key 'spring.profiles.active' value '" + String.join(",", profiles)
					+ "': the demo profile's stand-in upstreams do not exist under AOT");
		}
		String management = environment.getProperty("management.server.port");
		String server = environment.getProperty("server.port", "8080");
		if (management == null || management.strip().equals("-1")
				|| Objects.equals(management.strip(), server.strip())) {
			problems.add("key 'management.server.port' value '" + management
					+ "': under AOT the management endpoints need a port of their own (not server.port " + server
					+ ")");
		}
		return problems;
	}

}
