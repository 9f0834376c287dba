package io.cryoprotect.gateway.configfile;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.stereotype.Component;

/**
 * {@code GET :8081/actuator/gatewayconfig}: for every file-based config (routes and each
 * policy), the live version and when it loaded, reload counts, and the last rejection;
 * for a policy that names routes, also where its live version names routes that no longer
 * exist.
 */
@Component
@Endpoint(id = "gatewayconfig")
public class ConfigStatusEndpoint {

	private final List<ConfigReloader<?>> reloaders;

	ConfigStatusEndpoint(List<ConfigReloader<?>> reloaders) {
		this.reloaders = reloaders;
	}

	@ReadOperation
	Map<String, Object> status() {
		Map<String, Object> all = new LinkedHashMap<>();
		for (ConfigReloader<?> reloader : reloaders) {
			all.put(reloader.name(), describe(reloader));
		}
		return all;
	}

	/** The state of one config, as shown here and embedded in feature endpoints. */
	public static Map<String, Object> describe(ConfigReloader<?> reloader) {
		Map<String, Object> out = new LinkedHashMap<>();
		ConfigReloader.Loaded<?> live = reloader.live();
		out.put("dir", reloader.dir());
		out.put("version", live == null ? null : live.version());
		out.put("loadedAt", live == null ? null : live.loadedAt().toString());
		out.put("reloads", Map.of("applied", reloader.appliedCount(), "rejected", reloader.rejectedCount()));
		ConfigReloader.Rejection rejection = reloader.lastRejection();
		if (rejection == null) {
			out.put("lastRejection", null);
		}
		else {
			Map<String, Object> last = new LinkedHashMap<>();
			last.put("version", rejection.version());
			last.put("at", rejection.at().toString());
			last.put("problems", describe(rejection.problems()));
			out.put("lastRejection", last);
		}
		if (reloader.referencesRoutes()) {
			out.put("orphanedRouteReferences", describe(reloader.orphanedRouteReferences()));
		}
		return out;
	}

	private static List<Map<String, Object>> describe(List<ConfigProblem> problems) {
		return problems.stream().map(p -> {
			Map<String, Object> problem = new LinkedHashMap<>();
			problem.put("file", p.file());
			problem.put("key", p.key());
			problem.put("value", p.value());
			problem.put("reason", p.reason());
			problem.put("message", p.toString());
			return problem;
		}).toList();
	}

}
