package io.cryoprotect.gateway.routing;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Part of readiness: DOWN until a valid route config has loaded, UP from then on, even while
 * later edits are rejected (the last good config still serves) and whatever upstreams do.
 */
class RouteConfigHealthIndicator implements HealthIndicator {

	private final RouteFileRouteLocator locator;

	private final RouteReloader reloader;

	RouteConfigHealthIndicator(RouteFileRouteLocator locator, RouteReloader reloader) {
		this.locator = locator;
		this.reloader = reloader;
	}

	@Override
	public Health health() {
		RouteConfig live = locator.live();
		if (live == null) {
			Health.Builder down = Health.outOfService().withDetail("reason", "no valid route config loaded yet");
			RouteReloader.Rejection rejection = reloader.lastRejection();
			if (rejection != null) {
				down.withDetail("lastRejection", rejection.problems().stream().map(Object::toString).toList());
			}
			return down.build();
		}
		return Health.up().withDetail("version", live.version()).withDetail("routes", live.routes().size()).build();
	}

}
