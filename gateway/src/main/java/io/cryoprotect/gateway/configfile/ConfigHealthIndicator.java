package io.cryoprotect.gateway.configfile;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Part of readiness: OUT_OF_SERVICE until every file-based config has loaded a valid
 * version, UP from then on, also while later edits are rejected (the last good version
 * still serves), and whatever the upstreams do.
 */
@Component("configHealthIndicator")
class ConfigHealthIndicator implements HealthIndicator {

	private final List<ConfigReloader<?>> reloaders;

	ConfigHealthIndicator(List<ConfigReloader<?>> reloaders) {
		this.reloaders = reloaders;
	}

	@Override
	public Health health() {
		boolean allLoaded = true;
		Map<String, Object> details = new LinkedHashMap<>();
		for (ConfigReloader<?> reloader : reloaders) {
			ConfigReloader.Loaded<?> live = reloader.live();
			if (live != null) {
				details.put(reloader.name(), live.version());
				continue;
			}
			allLoaded = false;
			ConfigReloader.Rejection rejection = reloader.lastRejection();
			if (rejection != null) {
				details.put(reloader.name(), rejection.problems().stream().map(Object::toString).toList());
			}
			else {
				details.put(reloader.name(),
						reloader.waitingForRoutes() ? "waiting for the first route set" : "not loaded yet");
			}
		}
		return (allLoaded ? Health.up() : Health.outOfService()).withDetails(details).build();
	}

}
