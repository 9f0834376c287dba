package io.cryoprotect.gateway.ratelimit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code GET :8081/actuator/gatewayratelimits}: the backend's state and the live limits
 * with their modes.
 */
@Endpoint(id = "gatewayratelimits")
class RateLimitStatusEndpoint {

	private final Supplier<RateLimitConfig> config;

	private final RateLimitBackend backend;

	RateLimitStatusEndpoint(Supplier<RateLimitConfig> config, RateLimitBackend backend) {
		this.config = config;
		this.backend = backend;
	}

	@ReadOperation
	Map<String, Object> status() {
		RateLimitConfig live = config.get();
		Map<String, Object> status = new LinkedHashMap<>();
		Map<String, Object> storage = new LinkedHashMap<>();
		storage.put("backend", backend.shared() ? "redis" : "local");
		if (backend.shared()) {
			storage.put("redis", backend.redisDisplay());
			storage.put("degraded", backend.degraded());
			storage.put("degradedReason", backend.degradedReason());
			if (live != null) {
				storage.put("onFailure", live.storage().onFailure().name());
				storage.put("replicas", backend.replicas(live.storage()));
				storage.put("delayedSync", delayedSync(live.storage().delayedSync()));
			}
		}
		storage.put("localBuckets", backend.localBuckets());
		status.put("storage", storage);
		List<Map<String, Object>> limits = new ArrayList<>();
		if (live != null) {
			for (RateLimitConfig.Limit limit : live.limits()) {
				Map<String, Object> entry = new LinkedHashMap<>();
				entry.put("id", limit.id());
				entry.put("mode", limit.mode().name());
				entry.put("default", limit.isDefault());
				entry.put("key", limit.key().toString());
				entry.put("rates", limit.base().rates().stream().map(r -> r.tokens() + "/" + r.label()).toList());
				limits.add(entry);
			}
		}
		status.put("limits", limits);
		return status;
	}

	private static Map<String, Object> delayedSync(RateLimitConfig.DelayedSync sync) {
		if (sync == null) {
			return null;
		}
		Map<String, Object> shown = new LinkedHashMap<>();
		shown.put("strategy", sync.strategy().name());
		shown.put("maxDelay", sync.maxDelay().toString());
		shown.put("maxUnsyncedPercent", sync.maxUnsyncedPercent());
		return shown;
	}

}
