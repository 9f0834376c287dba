package io.cryoprotect.gateway.observability;

import io.cryoprotect.gateway.errors.ProblemType;

/**
 * The one mapping from a problem type to the cause tag of
 * {@code gateway_rejections_total}: a request the gateway refused or cut short itself.
 * Upstream failures (502) and gateway bugs (500) are errors, not rejections.
 */
final class RejectionCause {

	private RejectionCause() {
	}

	/** The cause tag, or null when the problem is not a rejection. */
	static String of(ProblemType type) {
		return switch (type) {
			case VALIDATION_FAILED, UNSUPPORTED_MEDIA_TYPE -> "validation";
			case RATE_LIMITED -> "rate_limit";
			// The gateway protecting an upstream: breaker open, no colour passing its
			// health check, pool full.
			case UPSTREAM_UNAVAILABLE -> "breaker";
			case NO_HEALTHY_UPSTREAM -> "no_healthy_upstream";
			case UPSTREAM_SATURATED -> "pool_exhausted";
			case UPSTREAM_TIMEOUT -> "timeout";
			// BAD_REQUEST is the edge's verdict on a request it cannot safely route
			// (unsafe path, header names);
			// REQUEST_TIMEOUT its server timeouts cutting off a body that stalled.
			case BAD_REQUEST, PAYLOAD_TOO_LARGE, URI_TOO_LONG, HEADERS_TOO_LARGE, METHOD_NOT_ALLOWED, REQUEST_TIMEOUT ->
				"edge_limit";
			case NO_ROUTE -> "no_route";
			case NOT_READY -> "not_ready";
			case UNAUTHORIZED, FORBIDDEN -> "auth";
			case UPSTREAM_UNREACHABLE, INTERNAL -> null;
		};
	}

}
