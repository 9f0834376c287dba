package io.cryoprotect.gateway.ratelimit;

import java.time.Clock;

import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.configfile.FiltersConfProperties;
import io.cryoprotect.gateway.configfile.LiveRouteIds;
import io.cryoprotect.gateway.configfile.PolicyMode;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires {@code filters-conf/ratelimits.yml} into the two filter stages and the bucket
 * backend. {@code gateway.ratelimit.enabled=false} leaves rate limiting out.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "gateway.ratelimit.enabled", matchIfMissing = true)
class RateLimitConfiguration {

	/**
	 * Appears in readiness, {@code /actuator/gatewayconfig} and
	 * {@code gateway_config_reloads_total{config="ratelimits"}}.
	 */
	@Bean
	ConfigReloader<RateLimitConfig> rateLimitReloader(FiltersConfProperties filtersConf, RateLimitProperties properties,
			MeterRegistry meters, ObjectProvider<RateLimitBackend> backend, LiveRouteIds routeIds) {
		PolicyMode override = RateLimitConfigLoader.parseMode(properties.modeOverride());
		return new ConfigReloader<>("ratelimits", filtersConf.dir(), filtersConf.pollInterval(),
				RateLimitConfigLoader::isRateLimitFile, files -> RateLimitConfigLoader.loadFiles(files, override),
				routeIds, RateLimitConfig::routeReferences, config -> backend.ifAvailable(b -> b.reconfigure(config)),
				meters, Clock.systemUTC());
	}

	/**
	 * Local buckets count in monotonic nanoseconds; shared ones in wall-clock
	 * milliseconds, the one clock replicas agree on.
	 */
	@Bean
	RateLimitBackend rateLimitBackend(ConfigReloader<RateLimitConfig> rateLimitReloader, RateLimitProperties properties,
			MeterRegistry meters) {
		return new RateLimitBackend(rateLimitReloader.asSupplier(), properties.redisUrl(), TimeMeter.SYSTEM_NANOTIME,
				TimeMeter.SYSTEM_MILLISECONDS, meters);
	}

	@Bean
	RateLimitMetrics rateLimitMetrics(MeterRegistry meters) {
		return new RateLimitMetrics(meters);
	}

	@Bean
	RateLimitFilter keyedRateLimitFilter(ConfigReloader<RateLimitConfig> rateLimitReloader, RateLimitBackend backend,
			RateLimitMetrics metrics) {
		return new RateLimitFilter(rateLimitReloader.asSupplier(), backend, metrics, false);
	}

	@Bean
	RateLimitFilter bodyRateLimitFilter(ConfigReloader<RateLimitConfig> rateLimitReloader, RateLimitBackend backend,
			RateLimitMetrics metrics) {
		return new RateLimitFilter(rateLimitReloader.asSupplier(), backend, metrics, true);
	}

	@Bean
	RateLimitStatusEndpoint rateLimitStatusEndpoint(ConfigReloader<RateLimitConfig> rateLimitReloader,
			RateLimitBackend backend) {
		return new RateLimitStatusEndpoint(rateLimitReloader.asSupplier(), backend);
	}

}
