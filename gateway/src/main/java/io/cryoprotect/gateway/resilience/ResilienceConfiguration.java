package io.cryoprotect.gateway.resilience;

import java.time.Clock;

import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.configfile.FiltersConfProperties;
import io.cryoprotect.gateway.configfile.LiveRouteIds;
import io.cryoprotect.gateway.edge.EdgeProperties;
import io.cryoprotect.gateway.proxy.UpstreamClients;
import io.cryoprotect.gateway.routing.RouteConfig;
import io.cryoprotect.gateway.routing.UpstreamHealthView;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires {@code filters-conf/resilience.yml} into breakers, budgets and the filters that
 * apply them (the pools they pick from are the proxy package's).
 * {@code gateway.resilience.enabled=false} turns the policies off (the benchmark's
 * routing-only gateway); routing itself stays.
 */
@Configuration(proxyBeanMethods = false)
class ResilienceConfiguration {

	static final String ENABLED = "gateway.resilience.enabled";

	/**
	 * Applying new policies re-plans the health probes; breakers, budgets and pools
	 * follow lazily per request.
	 */
	@Bean
	ConfigReloader<ResilienceConfig> resilienceReloader(FiltersConfProperties properties, MeterRegistry meters,
			ObjectProvider<ActiveHealthChecks> healthChecks, LiveRouteIds routeIds) {
		return new ConfigReloader<>("resilience", properties.dir(), properties.pollInterval(),
				ResilienceConfigLoader::isResilienceFile, ResilienceConfigLoader::loadFiles, routeIds,
				ResilienceConfig::routeReferences, config -> healthChecks.ifAvailable(ActiveHealthChecks::reconcile),
				meters, Clock.systemUTC());
	}

	@Bean
	CircuitBreakers circuitBreakers(MeterRegistry meters) {
		return new CircuitBreakers(Clock.systemUTC(), meters);
	}

	@Bean
	RetryBudgets retryBudgets() {
		return new RetryBudgets(System::nanoTime);
	}

	@Bean
	@ConditionalOnBooleanProperty(name = ENABLED, matchIfMissing = true)
	ResilienceGatewayFilter resilienceGatewayFilter(ConfigReloader<ResilienceConfig> resilienceReloader,
			CircuitBreakers breakers, RetryBudgets budgets, UpstreamClients clients, MeterRegistry meters,
			ActiveHealthChecks healthChecks, RetryBufferProperties retryBuffer, EdgeProperties edge) {
		return new ResilienceGatewayFilter(resilienceReloader.asSupplier(), breakers, budgets, clients,
				new ResilienceMetrics(meters), healthChecks,
				new RetryBuffers(retryBuffer.maxBytes().toBytes(), edge.maxBodySize().toBytes(), meters),
				Clock.systemUTC());
	}

	@Bean
	@ConditionalOnBooleanProperty(name = ENABLED, matchIfMissing = true)
	RequestDeadlineFilter requestDeadlineFilter(ConfigReloader<ResilienceConfig> resilienceReloader) {
		return new RequestDeadlineFilter(resilienceReloader.asSupplier());
	}

	/**
	 * The colour pick skips the colours these checks find unhealthy: they hand themselves
	 * to routing's view.
	 */
	@Bean
	@ConditionalOnBooleanProperty(name = ENABLED, matchIfMissing = true)
	ActiveHealthChecks activeHealthChecks(ConfigReloader<RouteConfig> routeReloader,
			ConfigReloader<ResilienceConfig> resilienceReloader, MeterRegistry meters, UpstreamHealthView healthView) {
		ActiveHealthChecks checks = new ActiveHealthChecks(routeReloader.asSupplier(), resilienceReloader.asSupplier(),
				meters);
		healthView.use(checks);
		return checks;
	}

	@Bean
	ResilienceStatusEndpoint resilienceStatusEndpoint(CircuitBreakers breakers,
			ObjectProvider<ActiveHealthChecks> healthChecks, ConfigReloader<RouteConfig> routeReloader,
			ConfigReloader<ResilienceConfig> resilienceReloader) {
		return new ResilienceStatusEndpoint(breakers, healthChecks, routeReloader.asSupplier(),
				resilienceReloader.asSupplier());
	}

}
