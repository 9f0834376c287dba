package io.cryoprotect.gateway.support;

import java.util.ArrayList;
import java.util.List;

import io.cryoprotect.gateway.GatewayApplication;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Starts a gateway of its own, for tests about startup and shutdown. It runs on private
 * Reactor Netty resources: closing it must not dispose the global event loops that the
 * shared test gateway's servers run on. Policy files come from the repository.
 */
public final class StandaloneGateway {

	private StandaloneGateway() {
	}

	public static ConfigurableApplicationContext start(List<ApplicationListener<?>> listeners, String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		for (String fallback : List.of("--server.port=0", "--management.server.port=0", "--gateway.drain.delay=0s",
				"--gateway.filters-conf.dir=" + new TestConfigDir("filters-conf",
						java.util.Map.of("ratelimits.yml", TestConfigDir.SHADOW_RATE_LIMITS))
					.path())) {
			String key = fallback.substring(0, fallback.indexOf('=') + 1);
			if (all.stream().noneMatch(arg -> arg.startsWith(key))) {
				all.add(fallback);
			}
		}
		return new SpringApplicationBuilder(GatewayApplication.class).initializers(
				context -> ((GenericApplicationContext) context).registerBean(ReactorResourceFactory.class, () -> {
					ReactorResourceFactory resources = new ReactorResourceFactory();
					resources.setUseGlobalResources(false);
					return resources;
				}))
			.listeners(listeners.toArray(ApplicationListener[]::new))
			.run(all.toArray(String[]::new));
	}

	public static ConfigurableApplicationContext start(String... args) {
		return start(List.of(), args);
	}

	public static int port(ConfigurableApplicationContext context) {
		return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
	}

	public static int managementPort(ConfigurableApplicationContext context) {
		return Integer.parseInt(context.getEnvironment().getProperty("local.management.port"));
	}

}
