package io.cryoprotect.gateway.routing;

import java.time.Clock;
import java.util.List;
import java.util.stream.Collectors;

import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.configfile.LiveRouteIds;
import io.cryoprotect.gateway.edge.ManagementPort;
import io.cryoprotect.gateway.errors.ErrorProperties;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.handler.predicate.RoutePredicateFactory;
import org.springframework.cloud.gateway.support.ConfigurationService;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Wires route files into Spring Cloud Gateway: locator, reloader, readiness and status.
 */
@Configuration(proxyBeanMethods = false)
class RoutingConfiguration {

	@Bean
	ReplacePrefixGatewayFilterFactory replacePrefixGatewayFilterFactory() {
		return new ReplacePrefixGatewayFilterFactory();
	}

	@Bean
	RouteFileRouteLocator routeFileRouteLocator(ConfigReloader<RouteConfig> routeReloader) {
		return new RouteFileRouteLocator(routeReloader.asSupplier());
	}

	/**
	 * Every colour is healthy until the active health checks, where they run, report into
	 * this view.
	 */
	@Bean
	UpstreamHealthView upstreamHealthView() {
		return new UpstreamHealthView();
	}

	/**
	 * Routes are swapped in whole (the locator reads the live set), then SCG's route
	 * cache is refreshed from the locator, and the policies that name routes are checked
	 * against the new route ids.
	 */
	@Bean
	ConfigReloader<RouteConfig> routeReloader(RoutingProperties properties, List<RoutePredicateFactory<?>> predicates,
			List<GatewayFilterFactory<?>> filters, ConfigurationService configurationService, Environment environment,
			ApplicationEventPublisher publisher, MeterRegistry meters, UpstreamHealthView health,
			LiveRouteIds routeIds) {
		ScgRouteBuilder builder = new ScgRouteBuilder(predicates, filters, configurationService,
				properties.stickyCookieName(), health);
		RouteConfigLoader loader = new RouteConfigLoader(builder, environment::resolveRequiredPlaceholders);
		return new ConfigReloader<>("routes", properties.dir(), properties.pollInterval(),
				RouteConfigLoader::isRouteFile, loader::load, config -> {
					publisher.publishEvent(new RefreshRoutesEvent(config));
					routeIds.publish(
							config.routes().stream().map(route -> route.spec().id()).collect(Collectors.toSet()),
							config.routes().stream().map(RouteConfig.LoadedRoute::service).collect(Collectors.toSet()));
				}, meters, Clock.systemUTC());
	}

	/**
	 * Routes requests without the DispatcherHandler's mapping chain where that gives
	 * SCG's answer.
	 */
	@Bean
	RouteLookupWebFilter routeLookupWebFilter(RouteFileRouteLocator locator, FilteringWebHandler filteringWebHandler,
			ManagementPort management, GatewayProperties gateway, RoutingProperties properties) {
		return new RouteLookupWebFilter(locator, filteringWebHandler, management, gateway.getRoutes().isEmpty(),
				properties.pollInterval());
	}

	/** The shape of the gateway's own error answers, by route. */
	@Bean
	RouteErrorShapes routeErrorShapes(RouteFileRouteLocator locator, ManagementPort management,
			ErrorProperties errors) {
		return new RouteErrorShapes(locator, management, errors.defaultShape());
	}

	@Bean
	RoutingStatusEndpoint routingStatusEndpoint(ConfigReloader<RouteConfig> routeReloader) {
		return new RoutingStatusEndpoint(routeReloader);
	}

}
