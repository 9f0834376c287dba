package io.cryoprotect.gateway.routing;

/**
 * The colour pick's view of upstream health. Every colour counts as healthy until the
 * active health checks (resilience), which implement {@link UpstreamHealth}, hand
 * themselves in with {@link #use}. Routing owns this bean, so building routes needs no
 * bean of the health checks, and the checks can take the routes they probe without a lazy
 * lookup.
 */
public final class UpstreamHealthView implements UpstreamHealth {

	private volatile UpstreamHealth source = ALWAYS_HEALTHY;

	/** From now on, the colour pick asks {@code health}. */
	public void use(UpstreamHealth health) {
		source = health;
	}

	@Override
	public boolean isHealthy(String service, String colour) {
		return source.isHealthy(service, colour);
	}

}
