package io.cryoprotect.gateway.resilience;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.cryoprotect.gateway.configfile.ConfigFiles;
import io.cryoprotect.gateway.configfile.ConfigProblem;
import io.cryoprotect.gateway.configfile.ConfigRejectedException;
import io.cryoprotect.gateway.configfile.ConfigValues;
import io.cryoprotect.gateway.configfile.StrictYamlReader;
import io.cryoprotect.gateway.proxy.PoolSettings;

import org.springframework.http.HttpMethod;

/**
 * Reads {@code resilience.yml}, merges presets with route overrides and upstream defaults
 * with per-upstream sections, and checks every value, naming file, key and value for each
 * problem. Like Resilience4j's {@code configs}/{@code baseConfig}: named presets, single
 * fields overridden where they are used.
 */
final class ResilienceConfigLoader {

	static final String FILE = "resilience.yml";

	private static final String DEFAULTS = "defaults";

	private static final Set<HttpMethod> METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
			HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS);

	private ConfigValues values;

	static boolean isResilienceFile(String relativePath) {
		return FILE.equals(relativePath);
	}

	static ResilienceConfig loadFiles(ConfigFiles files) {
		files.requireReadable();
		String text = files.contents().get(FILE);
		if (text == null) {
			throw new ConfigRejectedException(new ConfigProblem(files.displayName(FILE), "", null, "file not found"));
		}
		return new ResilienceConfigLoader().load(files.displayName(FILE), text);
	}

	ResilienceConfig load(String file, String text) {
		this.values = new ConfigValues(file);
		ResilienceFile raw = StrictYamlReader.read(file, text, ResilienceFile.class);
		Map<String, ResilienceConfig.Policy> presets = new LinkedHashMap<>();
		if (raw.presets() == null || raw.presets().isEmpty()) {
			problem("presets", null, "at least one preset is required");
		}
		else {
			raw.presets().forEach((name, preset) -> presets.put(name, policy("presets." + name, name, preset, null)));
		}
		ResilienceConfig.Policy defaultPolicy = presets.get(raw.defaultPreset());
		// An invalid preset is reported under its own keys; only a name that is no preset is defaultPreset's problem.
		if (!presets.containsKey(raw.defaultPreset())) {
			problem("defaultPreset", raw.defaultPreset(), "must name one of the presets " + presets.keySet());
		}
		Map<String, ResilienceConfig.RoutePolicies> routes = new LinkedHashMap<>();
		if (raw.routes() != null) {
			raw.routes().forEach((routeId, binding) -> {
				ResilienceConfig.RoutePolicies route = route("routes." + routeId, binding, raw.presets());
				if (route != null) {
					routes.put(routeId, route);
				}
			});
		}
		Map<String, ResilienceFile.Upstream> rawUpstreams = raw.upstreams() == null ? Map.of() : raw.upstreams();
		ResilienceFile.Upstream defaults = rawUpstreams.get(DEFAULTS);
		ResilienceConfig.UpstreamPolicy defaultUpstream = null;
		Map<String, ResilienceConfig.UpstreamPolicy> upstreams = new LinkedHashMap<>();
		if (defaults == null) {
			problem("upstreams.defaults", null, "upstream defaults (breaker, retryBudget, pool, healthCheck) are required");
		}
		else {
			defaultUpstream = upstream("upstreams.defaults", defaults, null);
			for (Map.Entry<String, ResilienceFile.Upstream> e : rawUpstreams.entrySet()) {
				if (!e.getKey().equals(DEFAULTS)) {
					upstreams.put(e.getKey(), upstream("upstreams." + e.getKey(), e.getValue(), defaults));
				}
			}
		}
		values.rejectIfAny();
		return new ResilienceConfig(defaultPolicy, Map.copyOf(routes), defaultUpstream, Map.copyOf(upstreams));
	}

	private ResilienceConfig.RoutePolicies route(String key, ResilienceFile.RouteBinding binding,
			Map<String, ResilienceFile.Preset> rawPresets) {
		if (binding == null || binding.preset() == null || rawPresets == null
				|| !rawPresets.containsKey(binding.preset())) {
			problem(key + ".preset", binding == null ? null : binding.preset(),
					"must name one of the presets " + (rawPresets == null ? List.of() : rawPresets.keySet()));
			return null;
		}
		ResilienceConfig.Policy policy = policy(key, binding.preset(), rawPresets.get(binding.preset()), binding.overrides());
		Map<HttpMethod, ResilienceConfig.Policy> byMethod = new LinkedHashMap<>();
		if (binding.methods() != null) {
			binding.methods().forEach((methodName, presetName) -> {
				HttpMethod method = HttpMethod.valueOf(methodName);
				if (!METHODS.contains(method)) {
					problem(key + ".methods", methodName, "not an HTTP method: expected one of "
							+ METHODS.stream().map(HttpMethod::name).sorted().toList());
				}
				else if (!rawPresets.containsKey(presetName)) {
					problem(key + ".methods." + methodName, presetName, "must name one of the presets " + rawPresets.keySet());
				}
				else {
					byMethod.put(method, policy(key + ".methods." + methodName, presetName, rawPresets.get(presetName),
							binding.overrides()));
				}
			});
		}
		return new ResilienceConfig.RoutePolicies(policy, Map.copyOf(byMethod), fallback(key + ".fallback", binding.fallback()));
	}

	private ResilienceConfig.Fallback fallback(String key, ResilienceFile.Fallback raw) {
		if (raw == null) {
			return null;
		}
		if ((raw.colour() == null) == (raw.uri() == null)) {
			problem(key, null, "give exactly one of colour or uri");
			return null;
		}
		if (raw.colour() != null) {
			return new ResilienceConfig.Fallback(raw.colour(), null);
		}
		try {
			URI uri = new URI(raw.uri());
			if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
				problem(key + ".uri", raw.uri(), "must be an http or https URI with a host");
				return null;
			}
			return new ResilienceConfig.Fallback(null, uri);
		}
		catch (URISyntaxException ex) {
			problem(key + ".uri", raw.uri(), "not a valid URI: " + ex.getReason());
			return null;
		}
	}

	/** A preset with a route's single-field overrides applied; every field must end up set. */
	private ResilienceConfig.Policy policy(String key, String name, ResilienceFile.Preset preset,
			ResilienceFile.Preset overrides) {
		ResilienceFile.Preset o = overrides == null ? new ResilienceFile.Preset(null, null, null, null) : overrides;
		ResilienceFile.Retry r = preset.retry() == null ? new ResilienceFile.Retry(null, null, null, null, null, null, null)
				: preset.retry();
		ResilienceFile.Retry ro = o.retry() == null ? new ResilienceFile.Retry(null, null, null, null, null, null, null)
				: o.retry();
		Duration connect = duration(key + ".connectTimeout", pick(o.connectTimeout(), preset.connectTimeout()));
		Duration response = duration(key + ".responseTimeout", pick(o.responseTimeout(), preset.responseTimeout()));
		Duration request = duration(key + ".requestTimeout", pick(o.requestTimeout(), preset.requestTimeout()));
		if (response != null && request != null && request.compareTo(response) < 0) {
			problem(key + ".requestTimeout", request, "must not be shorter than responseTimeout (" + response + ")");
		}
		String retryKey = key + ".retry";
		int attempts = range(retryKey + ".maxAttempts", pick(ro.maxAttempts(), r.maxAttempts()), 1, 10);
		Duration initial = duration(retryKey + ".initialBackoff", pick(ro.initialBackoff(), r.initialBackoff()));
		Duration max = duration(retryKey + ".maxBackoff", pick(ro.maxBackoff(), r.maxBackoff()));
		Double multiplier = pick(ro.multiplier(), r.multiplier());
		if (multiplier == null || multiplier < 1.0 || multiplier > 10.0) {
			problem(retryKey + ".multiplier", multiplier, "must be between 1.0 and 10.0");
		}
		Double jitter = pick(ro.jitter(), r.jitter());
		if (jitter == null || jitter < 0.0 || jitter > 1.0) {
			problem(retryKey + ".jitter", jitter, "must be between 0.0 and 1.0");
		}
		Duration maxRetryAfter = duration(retryKey + ".maxRetryAfter", pick(ro.maxRetryAfter(), r.maxRetryAfter()));
		List<String> retryOn = pick(ro.retryOn(), r.retryOn());
		Set<Integer> statuses = new LinkedHashSet<>();
		boolean connectFailure = false;
		boolean reset = false;
		boolean timeout = false;
		if (retryOn == null) {
			problem(retryKey + ".retryOn", null, "required: connect-failure, reset, timeout and/or 5xx status codes");
		}
		else {
			for (String condition : retryOn) {
				switch (condition) {
					case "connect-failure" -> connectFailure = true;
					case "reset" -> reset = true;
					case "timeout" -> timeout = true;
					default -> {
						Integer status = parseStatus(condition);
						if (status == null) {
							problem(retryKey + ".retryOn", condition,
									"expected connect-failure, reset, timeout or a status code from 500 to 599");
						}
						else {
							statuses.add(status);
						}
					}
				}
			}
		}
		if (initial != null && max != null && max.compareTo(initial) < 0) {
			problem(retryKey + ".maxBackoff", max, "must not be shorter than initialBackoff (" + initial + ")");
		}
		if (connect == null || response == null || request == null || initial == null || max == null
				|| multiplier == null || jitter == null || maxRetryAfter == null || retryOn == null) {
			return null;
		}
		return new ResilienceConfig.Policy(name, connect, response, request, new ResilienceConfig.RetryPolicy(attempts,
				initial, max, multiplier, jitter, Set.copyOf(statuses), connectFailure, reset, timeout, maxRetryAfter));
	}

	private ResilienceConfig.UpstreamPolicy upstream(String key, ResilienceFile.Upstream own,
			ResilienceFile.Upstream defaults) {
		ResilienceFile.Upstream d = defaults == null ? new ResilienceFile.Upstream(null, null, null, null) : defaults;
		ResilienceFile.Upstream u = own == null ? new ResilienceFile.Upstream(null, null, null, null) : own;
		return new ResilienceConfig.UpstreamPolicy(
				breaker(key + ".breaker", merge(u.breaker(), d.breaker(), ResilienceFile.Breaker.class)),
				budget(key + ".retryBudget", merge(u.retryBudget(), d.retryBudget(), ResilienceFile.RetryBudget.class)),
				pool(key + ".pool", merge(u.pool(), d.pool(), ResilienceFile.Pool.class)),
				healthCheck(key + ".healthCheck", merge(u.healthCheck(), d.healthCheck(), ResilienceFile.HealthCheck.class)));
	}

	private ResilienceConfig.BreakerSettings breaker(String key, ResilienceFile.Breaker b) {
		if (b == null) {
			problem(key, null, "required");
			return null;
		}
		return new ResilienceConfig.BreakerSettings(range(key + ".failureRateThreshold", b.failureRateThreshold(), 1, 100),
				range(key + ".slowCallRateThreshold", b.slowCallRateThreshold(), 1, 100),
				duration(key + ".slowCallDuration", b.slowCallDuration()),
				range(key + ".slidingWindowSize", b.slidingWindowSize(), 1, 10_000),
				range(key + ".minimumNumberOfCalls", b.minimumNumberOfCalls(), 1, 10_000),
				duration(key + ".waitInOpenState", b.waitInOpenState()),
				range(key + ".permittedCallsInHalfOpenState", b.permittedCallsInHalfOpenState(), 1, 1_000));
	}

	private ResilienceConfig.BudgetSettings budget(String key, ResilienceFile.RetryBudget b) {
		if (b == null) {
			problem(key, null, "required");
			return null;
		}
		if (b.ratio() == null || b.ratio() < 0 || b.ratio() > 1) {
			problem(key + ".ratio", b.ratio(), "must be between 0.0 and 1.0 (share of requests that may be retried)");
		}
		if (b.minRetriesPerSecond() == null || b.minRetriesPerSecond() < 0) {
			problem(key + ".minRetriesPerSecond", b.minRetriesPerSecond(), "must be 0 or more");
		}
		Duration window = duration(key + ".window", b.window());
		return new ResilienceConfig.BudgetSettings(b.ratio() == null ? 0 : b.ratio(),
				b.minRetriesPerSecond() == null ? 0 : b.minRetriesPerSecond(), window);
	}

	private PoolSettings pool(String key, ResilienceFile.Pool p) {
		if (p == null) {
			problem(key, null, "required");
			return null;
		}
		return new PoolSettings(range(key + ".maxConnections", p.maxConnections(), 1, 10_000),
				range(key + ".pendingAcquireMaxCount", p.pendingAcquireMaxCount(), 1, 100_000),
				duration(key + ".pendingAcquireTimeout", p.pendingAcquireTimeout()),
				duration(key + ".maxIdleTime", p.maxIdleTime()), duration(key + ".maxLifeTime", p.maxLifeTime()),
				duration(key + ".evictionInterval", p.evictionInterval()));
	}

	private ResilienceConfig.HealthCheckSettings healthCheck(String key, ResilienceFile.HealthCheck h) {
		if (h == null) {
			problem(key, null, "required");
			return null;
		}
		boolean enabled = h.enabled() == null || h.enabled();
		if (h.path() == null || !h.path().startsWith("/")) {
			problem(key + ".path", h.path(), "must start with '/'");
		}
		return new ResilienceConfig.HealthCheckSettings(enabled, h.path(), duration(key + ".interval", h.interval()),
				duration(key + ".timeout", h.timeout()), range(key + ".healthyThreshold", h.healthyThreshold(), 1, 100),
				range(key + ".unhealthyThreshold", h.unhealthyThreshold(), 1, 100));
	}

	/** Field-by-field: a value set in {@code own} wins over the one in {@code defaults}. */
	@SuppressWarnings("unchecked")
	private static <T extends Record> T merge(T own, T defaults, Class<T> type) {
		if (own == null || defaults == null) {
			return own == null ? defaults : own;
		}
		try {
			var components = type.getRecordComponents();
			Object[] values = new Object[components.length];
			Class<?>[] types = new Class<?>[components.length];
			for (int i = 0; i < components.length; i++) {
				Object value = components[i].getAccessor().invoke(own);
				values[i] = value != null ? value : components[i].getAccessor().invoke(defaults);
				types[i] = components[i].getType();
			}
			return (T) type.getDeclaredConstructor(types).newInstance(values);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("Cannot merge " + type.getSimpleName(), ex);
		}
	}

	private static <T> T pick(T override, T base) {
		return override != null ? override : base;
	}

	private Duration duration(String key, String text) {
		return values.duration(key, text);
	}

	private int range(String key, Integer value, int min, int max) {
		return values.range(key, value, min, max);
	}

	private static Integer parseStatus(String text) {
		try {
			int status = Integer.parseInt(text);
			return status >= 500 && status <= 599 ? status : null;
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	private void problem(String key, Object value, String reason) {
		values.problem(key, value, reason);
	}

}
