package io.cryoprotect.gateway.proxy;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The switch between the gateway's fast path and Spring Cloud Gateway's stock one:
 * {@code gateway.proxy.fast-path} (default true). Set to false, it switches SCG's
 * {@code NettyRoutingFilter} (with its {@code NettyWriteResponseFilter} and
 * {@code HttpHeadersFilter} chain) and {@code RouteToRequestUrlFilter} back on, over
 * application.yml's settings, and {@link ProxyConfiguration} leaves out
 * {@link UpstreamRoutingFilter} and {@link UpstreamResponseWriter}: the operator's escape
 * hatch when an upgrade breaks the fast path. What the stock path lacks is listed in this
 * package's README.
 */
public final class FastPath implements EnvironmentPostProcessor {

	/** The switch; absent means on. */
	public static final String PROPERTY = "gateway.proxy.fast-path";

	private static final String SCG_FILTERS = "spring.cloud.gateway.server.webflux.global-filter.";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (!environment.getProperty(PROPERTY, Boolean.class, true)) {
			environment.getPropertySources()
				.addFirst(new MapPropertySource(PROPERTY, Map.of(SCG_FILTERS + "netty-routing.enabled", "true",
						SCG_FILTERS + "route-to-request-url.enabled", "true")));
		}
	}

}
