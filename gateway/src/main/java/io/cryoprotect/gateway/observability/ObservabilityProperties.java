package io.cryoprotect.gateway.observability;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the request metrics, access log, slow-request log and error groups
 * ({@code gateway.observability.*}).
 *
 * @param accessLog the one JSON line per request on the {@code cryoprotect.access} logger
 * @param slowRequest the WARN line with phase timings for requests over a threshold
 * @param errorGroups the bounded table of error fingerprints on
 * {@code /actuator/gatewayerrors}
 */
@ConfigurationProperties("gateway.observability")
public record ObservabilityProperties(AccessLog accessLog, SlowRequest slowRequest, ErrorGroups errorGroups) {

	public ObservabilityProperties {
		accessLog = accessLog == null ? new AccessLog(null, null, null) : accessLog;
		slowRequest = slowRequest == null ? new SlowRequest(null, null) : slowRequest;
		errorGroups = errorGroups == null ? new ErrorGroups(null, null, null) : errorGroups;
	}

	/**
	 * @param enabled whether access lines are written; default true
	 * @param sampleRate share of requests logged, 0.0 to 1.0; default 1.0; answers of 500
	 * and above are always logged
	 * @param clientKeySalt salt of the client key hash; default a random value per
	 * process, so set it to correlate clients across replicas
	 */
	public record AccessLog(Boolean enabled, Double sampleRate, String clientKeySalt) {

		public AccessLog {
			enabled = enabled == null || enabled;
			sampleRate = Objects.requireNonNullElse(sampleRate, 1.0);
			if (sampleRate < 0.0 || sampleRate > 1.0) {
				throw new IllegalArgumentException(
						"gateway.observability.access-log.sample-rate must be between 0.0 and 1.0 but was "
								+ sampleRate);
			}
		}

	}

	/**
	 * @param threshold duration above which a request gets a slow-request line; default 2
	 * s
	 * @param routes per-route thresholds by route id, overriding {@code threshold}
	 */
	public record SlowRequest(Duration threshold, Map<String, Duration> routes) {

		public SlowRequest {
			threshold = threshold == null ? Duration.ofSeconds(2) : threshold;
			routes = routes == null ? Map.of() : Map.copyOf(routes);
		}

		Duration thresholdFor(String route) {
			return routes.getOrDefault(route, threshold);
		}

	}

	/**
	 * @param maxGroups groups kept; the least recently seen is evicted beyond it; default
	 * 200
	 * @param recentRequestIds request ids kept per group; default 5
	 * @param logWindow a group is logged at most once per window; default 60 s
	 */
	public record ErrorGroups(Integer maxGroups, Integer recentRequestIds, Duration logWindow) {

		public ErrorGroups {
			maxGroups = Objects.requireNonNullElse(maxGroups, 200);
			recentRequestIds = Objects.requireNonNullElse(recentRequestIds, 5);
			logWindow = logWindow == null ? Duration.ofSeconds(60) : logWindow;
			if (maxGroups < 1 || recentRequestIds < 1) {
				throw new IllegalArgumentException(
						"gateway.observability.error-groups.max-groups and recent-request-ids"
								+ " must be at least 1 but were " + maxGroups + " and " + recentRequestIds);
			}
		}

	}

}
