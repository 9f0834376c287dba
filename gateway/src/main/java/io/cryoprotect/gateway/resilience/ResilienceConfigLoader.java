package io.cryoprotect.gateway.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.cryoprotect.gateway.configfile.ConfigFiles;
import io.cryoprotect.gateway.configfile.ConfigProblem;
import io.cryoprotect.gateway.configfile.ConfigRejectedException;
import io.cryoprotect.gateway.configfile.ConfigSchema;
import io.cryoprotect.gateway.configfile.ConfigValues;
import io.cryoprotect.gateway.configfile.RouteReference;
import io.cryoprotect.gateway.proxy.PoolSettings;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpMethod;

/**
 * Reads {@code resilience.yml} through its schema, merges presets with route overrides
 * and upstream defaults with per-upstream sections as JSON trees, and checks what the
 * schema cannot: preset names and the order of timeouts and backoffs. The route ids under
 * {@code routes} are checked against {@code routes/} by the reloader. Like Resilience4j's
 * {@code configs}/{@code baseConfig}: named presets, single fields overridden where they
 * are used.
 */
final class ResilienceConfigLoader {

	static final String FILE = "resilience.yml";

	private static final String DEFAULTS = "defaults";

	private static final ConfigSchema SCHEMA = ConfigSchema.load("resilience.schema.json", false);

	/**
	 * What the schema leaves optional everywhere: health checks are on unless switched
	 * off.
	 */
	private static final ObjectNode BUILT_IN = JsonNodeFactory.instance.objectNode()
		.set("healthCheck", JsonNodeFactory.instance.objectNode().put("enabled", true));

	private final ConfigValues values;

	private final Set<String> presetNames;

	private final Map<String, ResilienceConfig.Policy> presetPolicies = new LinkedHashMap<>();

	private ResilienceConfigLoader(ConfigValues values, Set<String> presetNames) {
		this.values = values;
		this.presetNames = presetNames;
	}

	static boolean isResilienceFile(String relativePath) {
		return FILE.equals(relativePath);
	}

	static ResilienceConfig loadFiles(ConfigFiles files) {
		files.requireReadable();
		String text = files.contents().get(FILE);
		if (text == null) {
			throw new ConfigRejectedException(new ConfigProblem(files.displayName(FILE), "", null, "file not found"));
		}
		return load(files.displayName(FILE), text);
	}

	static ResilienceConfig load(String file, String text) {
		ConfigValues values = new ConfigValues(file);
		JsonNode tree = SCHEMA.read(values, text);
		JsonNode presets = tree.path("presets");
		return new ResilienceConfigLoader(values, new LinkedHashSet<>(presets.propertyNames())).load(tree, presets);
	}

	private ResilienceConfig load(JsonNode tree, JsonNode presets) {
		String defaultPreset = tree.path("defaultPreset").asString();
		checkPreset("defaultPreset", tree.path("defaultPreset"));
		for (Map.Entry<String, JsonNode> route : tree.path("routes").properties()) {
			String key = "routes." + route.getKey();
			checkPreset(key + ".preset", route.getValue().path("preset"));
			route.getValue()
				.path("methods")
				.properties()
				.forEach(e -> checkPreset(key + ".methods." + e.getKey(), e.getValue()));
		}
		values.rejectIfAny();
		for (String name : presetNames) {
			presetPolicies.put(name, policy("presets." + name, name, presets, null));
		}
		Map<String, ResilienceConfig.RoutePolicies> routes = new LinkedHashMap<>();
		tree.path("routes")
			.properties()
			.forEach(e -> routes.put(e.getKey(), route("routes." + e.getKey(),
					ConfigSchema.bind(e.getValue(), ResilienceFile.RouteBinding.class), presets)));
		JsonNode defaults = ConfigSchema.merge(BUILT_IN, tree.path("upstreams").path(DEFAULTS));
		Map<String, ResilienceConfig.UpstreamPolicy> upstreams = new LinkedHashMap<>();
		for (Map.Entry<String, JsonNode> e : tree.path("upstreams").properties()) {
			if (!e.getKey().equals(DEFAULTS)) {
				upstreams.put(e.getKey(), upstream(ConfigSchema.merge(defaults, e.getValue())));
			}
		}
		values.rejectIfAny();
		List<RouteReference> references = new ArrayList<>();
		routes.keySet().forEach(id -> references.add(new RouteReference(values.file(), "routes." + id, id)));
		upstreams.keySet()
			.forEach(service -> references
				.add(new RouteReference(values.file(), "upstreams." + service, service, RouteReference.Kind.SERVICE)));
		return new ResilienceConfig(presetPolicies.get(defaultPreset), Map.copyOf(routes), upstream(defaults),
				Map.copyOf(upstreams), List.copyOf(references));
	}

	private ResilienceConfig.RoutePolicies route(String key, ResilienceFile.RouteBinding binding, JsonNode presets) {
		ResilienceConfig.Policy policy = policy(key, binding.preset(), presets, binding.overrides());
		Map<HttpMethod, ResilienceConfig.Policy> byMethod = new LinkedHashMap<>();
		if (binding.methods() != null) {
			binding.methods()
				.forEach((method, preset) -> byMethod.put(HttpMethod.valueOf(method),
						policy(key + ".methods." + method, preset, presets, binding.overrides())));
		}
		return new ResilienceConfig.RoutePolicies(policy, Map.copyOf(byMethod), binding.fallback());
	}

	/**
	 * A preset with a route's single-field overrides laid on it, checked under the key it
	 * is written at.
	 */
	private ResilienceConfig.Policy policy(String key, String name, JsonNode presets, JsonNode overrides) {
		if (overrides == null || overrides.isNull()) {
			ResilienceConfig.Policy preset = presetPolicies.get(name);
			if (preset != null) {
				return preset;
			}
		}
		ResilienceFile.Preset preset = ConfigSchema.bind(ConfigSchema.merge(presets.get(name), overrides),
				ResilienceFile.Preset.class);
		ResilienceFile.Retry retry = preset.retry();
		notShorter(key + ".requestTimeout", preset.requestTimeout(), "responseTimeout", preset.responseTimeout());
		notShorter(key + ".retry.maxBackoff", retry.maxBackoff(), "initialBackoff", retry.initialBackoff());
		Set<Integer> statuses = new LinkedHashSet<>();
		for (String condition : retry.retryOn()) {
			if (Character.isDigit(condition.charAt(0))) {
				statuses.add(Integer.valueOf(condition));
			}
		}
		return new ResilienceConfig.Policy(name, preset.connectTimeout(), preset.responseTimeout(),
				preset.requestTimeout(),
				new ResilienceConfig.RetryPolicy(retry.maxAttempts(), retry.initialBackoff(), retry.maxBackoff(),
						retry.multiplier(), retry.jitter(), Set.copyOf(statuses),
						retry.retryOn().contains("connect-failure"), retry.retryOn().contains("reset"),
						retry.retryOn().contains("timeout"), retry.maxRetryAfter()));
	}

	private void notShorter(String key, Duration value, String otherName, Duration other) {
		if (value.compareTo(other) < 0) {
			values.problem(key, value, "must not be shorter than " + otherName + " (" + other + ")");
		}
	}

	private static ResilienceConfig.UpstreamPolicy upstream(JsonNode merged) {
		return new ResilienceConfig.UpstreamPolicy(
				ConfigSchema.bind(merged.get("breaker"), ResilienceConfig.BreakerSettings.class),
				ConfigSchema.bind(merged.get("retryBudget"), ResilienceConfig.BudgetSettings.class),
				ConfigSchema.bind(merged.get("pool"), PoolSettings.class),
				ConfigSchema.bind(merged.get("healthCheck"), ResilienceConfig.HealthCheckSettings.class));
	}

	/** A preset name the schema found to be text must name a preset. */
	private void checkPreset(String key, JsonNode name) {
		if (name.isString() && !presetNames.contains(name.asString())) {
			values.problem(key, name.asString(), "must name one of the presets " + presetNames);
		}
	}

}
