package io.cryoprotect.gateway.validation;

import java.time.Clock;

import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.configfile.FiltersConfProperties;
import io.cryoprotect.gateway.configfile.LiveRouteIds;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires request validation: the filter and the reloader that keeps validation.yml and its
 * schemas live.
 */
@Configuration(proxyBeanMethods = false)
class ValidationConfiguration {

	@Bean
	ValidationFilter validationFilter(ConfigReloader<ValidationConfig> validationReloader) {
		return new ValidationFilter(validationReloader.asSupplier());
	}

	/**
	 * Appears in readiness, {@code /actuator/gatewayconfig} and
	 * {@code gateway_config_reloads_total{config="validation"}}.
	 */
	@Bean
	ConfigReloader<ValidationConfig> validationReloader(FiltersConfProperties filtersConf,
			ValidationProperties properties, MeterRegistry meters, LiveRouteIds routeIds) {
		ValidationConfigLoader loader = new ValidationConfigLoader(new ValidationMetrics(meters),
				properties.modeOverride());
		return new ConfigReloader<>("validation", filtersConf.dir(), filtersConf.pollInterval(),
				ValidationConfigLoader::isValidationFile, loader::load, routeIds, ValidationConfig::routeReferences,
				config -> {
				}, meters, Clock.systemUTC());
	}

}
