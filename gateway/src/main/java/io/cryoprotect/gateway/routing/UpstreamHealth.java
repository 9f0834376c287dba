package io.cryoprotect.gateway.routing;

/**
 * Whether a colour of an upstream service currently passes its active health check. The
 * colour pick skips unhealthy colours while another colour with weight is healthy.
 */
@FunctionalInterface
public interface UpstreamHealth {

	/** Used when no health checks run: every colour counts as healthy. */
	UpstreamHealth ALWAYS_HEALTHY = (service, colour) -> true;

	boolean isHealthy(String service, String colour);

}
