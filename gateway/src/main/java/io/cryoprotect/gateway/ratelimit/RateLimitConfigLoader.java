package io.cryoprotect.gateway.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cryoprotect.gateway.configfile.ConfigFiles;
import io.cryoprotect.gateway.configfile.ConfigProblem;
import io.cryoprotect.gateway.configfile.ConfigRejectedException;
import io.cryoprotect.gateway.configfile.ConfigValues;
import io.cryoprotect.gateway.configfile.StrictYamlReader;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Bandwidths;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.KeySpec;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Mode;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.OnFailure;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Rate;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.RequestMatch;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Tier;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.http.HttpMethod;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.util.pattern.PatternParseException;

/**
 * Reads {@code ratelimits.yml} and checks every value, naming file, key and value for each
 * problem. A mode override (the operator's {@code GATEWAY_RATELIMIT_MODE}) replaces every
 * limit's mode.
 */
final class RateLimitConfigLoader {

	static final String FILE = "ratelimits.yml";

	private static final Pattern RATE = Pattern.compile("\\s*(\\d{1,9})\\s*/\\s*(\\S+)\\s*");

	private static final Pattern BODY_FIELD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

	private static final Set<HttpMethod> METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
			HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS);

	private static final Duration MIN_WINDOW = Duration.ofSeconds(1);

	private static final Duration MAX_WINDOW = Duration.ofDays(31);

	private final Mode override;

	private ConfigValues values;

	private RateLimitConfigLoader(Mode override) {
		this.override = override;
	}

	static boolean isRateLimitFile(String relativePath) {
		return FILE.equals(relativePath);
	}

	static RateLimitConfig loadFiles(ConfigFiles files, Mode override) {
		files.requireReadable();
		String text = files.contents().get(FILE);
		if (text == null) {
			throw new ConfigRejectedException(new ConfigProblem(files.displayName(FILE), "", null, "file not found"));
		}
		return load(files.displayName(FILE), text, override);
	}

	static RateLimitConfig load(String file, String text, Mode override) {
		RateLimitConfigLoader loader = new RateLimitConfigLoader(override);
		loader.values = new ConfigValues(file);
		return loader.read(StrictYamlReader.read(file, text, RateLimitFile.class));
	}

	/** Parses {@code off}, {@code shadow} or {@code enforce}; null for blank. */
	static Mode parseMode(String text) {
		if (text == null || text.isBlank()) {
			return null;
		}
		return Mode.valueOf(text.strip().toLowerCase(Locale.ROOT));
	}

	private RateLimitConfig read(RateLimitFile raw) {
		Mode fileMode = mode("mode", raw.mode(), Mode.enforce);
		Map<Tier, RateLimitConfig.TierRule> tierRules = tiers(raw.tiers());
		RateLimitConfig.Storage storage = storage(raw.storage());
		List<RateLimitConfig.Limit> limits = new ArrayList<>();
		if (raw.limits() == null || raw.limits().isEmpty()) {
			problem("limits", null, "at least one limit is required (set mode: off to disable them)");
		}
		else {
			raw.limits().forEach((id, limit) -> {
				RateLimitConfig.Limit compiled = limit(id, limit, fileMode);
				if (compiled != null) {
					limits.add(compiled);
				}
			});
		}
		values.rejectIfAny();
		return new RateLimitConfig(List.copyOf(limits), tierRules, storage);
	}

	private Map<Tier, RateLimitConfig.TierRule> tiers(Map<String, RateLimitFile.TierRule> raw) {
		Map<Tier, RateLimitConfig.TierRule> rules = new LinkedHashMap<>();
		if (raw == null) {
			return rules;
		}
		raw.forEach((name, rule) -> {
			Tier tier = tierName("tiers", name);
			if (tier == Tier.anonymous) {
				problem("tiers." + name, name, "anonymous is every caller without a verified token; it takes no rule");
			}
			else if (tier != null) {
				rules.put(tier, new RateLimitConfig.TierRule(names("tiers." + name + ".roles", rule == null ? null : rule.roles()),
						names("tiers." + name + ".plans", rule == null ? null : rule.plans())));
			}
		});
		return rules;
	}

	private RateLimitConfig.Storage storage(RateLimitFile.Storage raw) {
		RateLimitFile.Local local = raw == null || raw.local() == null ? new RateLimitFile.Local(null) : raw.local();
		RateLimitFile.Redis redis = raw == null || raw.redis() == null ? new RateLimitFile.Redis(null, null, null, null)
				: raw.redis();
		RateLimitConfig.Storage defaults = RateLimitConfig.Storage.DEFAULTS;
		int maxKeys = local.maxKeys() == null ? defaults.maxKeys()
				: range("storage.local.maxKeys", local.maxKeys(), 100, 10_000_000);
		Duration timeout = redis.commandTimeout() == null ? defaults.commandTimeout()
				: bounded("storage.redis.commandTimeout", redis.commandTimeout(), Duration.ofMillis(5), Duration.ofSeconds(1),
						"every request that Redis answers late waits this long");
		OnFailure onFailure = OnFailure.local;
		if (redis.onFailure() != null) {
			try {
				onFailure = OnFailure.valueOf(redis.onFailure());
			}
			catch (IllegalArgumentException ex) {
				problem("storage.redis.onFailure", redis.onFailure(), "expected local, allow or deny");
			}
		}
		Duration retry = redis.retryInterval() == null ? defaults.retryInterval()
				: bounded("storage.redis.retryInterval", redis.retryInterval(), Duration.ofMillis(100), Duration.ofSeconds(60),
						"how long shared limits stay off after Redis is back, and the Retry-After of deny");
		Integer replicas = null;
		if (redis.replicas() != null && !redis.replicas().equals("auto")) {
			try {
				replicas = Integer.parseInt(redis.replicas());
				if (replicas < 1 || replicas > 1000) {
					throw new NumberFormatException();
				}
			}
			catch (NumberFormatException ex) {
				problem("storage.redis.replicas", redis.replicas(), "expected auto or a number of replicas from 1 to 1000");
				replicas = null;
			}
		}
		return new RateLimitConfig.Storage(maxKeys, timeout, onFailure, retry, replicas);
	}

	private RateLimitConfig.Limit limit(String id, RateLimitFile.Limit raw, Mode fileMode) {
		String key = "limits." + id;
		if (!id.matches("[a-z0-9][a-z0-9-]{0,62}")) {
			problem(key, id, "limit ids are lower-case letters, digits and '-' (they appear in headers and metrics)");
		}
		if (raw == null) {
			problem(key, null, "a limit needs at least rates");
			return null;
		}
		RequestMatch match = match(key + ".match", raw.match());
		KeySpec keySpec = keySpec(key + ".key", raw.key());
		Bandwidths base = bandwidths(key + ".rates", raw.rates());
		Map<Tier, Bandwidths> plans = new EnumMap<>(Tier.class);
		if (raw.tiers() != null) {
			raw.tiers().forEach((name, value) -> {
				Tier tier = tierName(key + ".tiers", name);
				if (tier == null) {
					return;
				}
				if ("unlimited".equals(value)) {
					plans.put(tier, null);
				}
				else if (value instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
					plans.put(tier, bandwidths(key + ".tiers." + name, list.stream().map(String.class::cast).toList()));
				}
				else {
					problem(key + ".tiers." + name, String.valueOf(value), "expected a list of rates such as [40/min] or unlimited");
				}
			});
		}
		int cost = raw.cost() == null ? 1 : range(key + ".cost", raw.cost(), 1, 1_000);
		List<RateLimitConfig.CostRule> costs = new ArrayList<>();
		if (raw.costs() != null) {
			for (int i = 0; i < raw.costs().size(); i++) {
				RateLimitFile.Cost rule = raw.costs().get(i);
				String ruleKey = key + ".costs[" + i + "]";
				if (rule == null || rule.match() == null) {
					problem(ruleKey + ".match", null, "required");
					continue;
				}
				costs.add(new RateLimitConfig.CostRule(match(ruleKey + ".match", rule.match()),
						range(ruleKey + ".cost", rule.cost(), 1, 1_000)));
			}
		}
		if (keySpec != null && keySpec.readsBody() && (raw.match() == null || raw.match().methods() == null
				|| raw.match().paths() == null)) {
			problem(key + ".match", null, "a body-keyed limit must name its methods and paths: it reads the body of every "
					+ "request it matches");
		}
		Mode mode = override != null ? override : mode(key + ".mode", raw.mode(), fileMode);
		if (match == null || keySpec == null || base == null) {
			return null;
		}
		for (Map.Entry<Tier, Bandwidths> plan : plans.entrySet()) {
			if (plan.getValue() != null) {
				checkCosts(key + ".tiers." + plan.getKey(), plan.getValue(), cost, costs);
			}
		}
		checkCosts(key + ".rates", base, cost, costs);
		return new RateLimitConfig.Limit(id, match, Boolean.TRUE.equals(raw.isDefault()), keySpec, base,
				plans, cost, List.copyOf(costs), mode);
	}

	/** A cost above a bandwidth's capacity could never be paid: every such request would be rejected. */
	private void checkCosts(String key, Bandwidths bandwidths, int cost, List<RateLimitConfig.CostRule> costs) {
		int highest = costs.stream().mapToInt(RateLimitConfig.CostRule::cost).reduce(cost, Math::max);
		for (Rate rate : bandwidths.rates()) {
			if (rate.tokens() < highest) {
				problem(key, rate.tokens() + "/" + rate.label(),
						"smaller than the highest cost (" + highest + "): such requests could never pass");
			}
		}
	}

	private RequestMatch match(String key, RateLimitFile.Match raw) {
		if (raw == null) {
			return RequestMatch.ANY;
		}
		Set<HttpMethod> methods = new LinkedHashSet<>();
		if (raw.methods() != null) {
			for (String name : raw.methods()) {
				HttpMethod method = name == null ? null : HttpMethod.valueOf(name.toUpperCase(Locale.ROOT));
				if (method == null || !METHODS.contains(method)) {
					problem(key + ".methods", name, "not an HTTP method: expected one of "
							+ METHODS.stream().map(HttpMethod::name).sorted().toList());
				}
				else {
					methods.add(method);
				}
			}
		}
		List<PathPattern> paths = new ArrayList<>();
		if (raw.paths() != null) {
			for (String path : raw.paths()) {
				if (path == null || !path.startsWith("/")) {
					problem(key + ".paths", path, "must start with '/'");
					continue;
				}
				try {
					paths.add(PathPatternParser.defaultInstance.parse(path));
				}
				catch (PatternParseException ex) {
					problem(key + ".paths", path, "not a path pattern: " + ex.getMessage());
				}
			}
		}
		Set<String> routes = names(key + ".routes", raw.routes());
		return new RequestMatch(routes, Set.copyOf(methods), List.copyOf(paths));
	}

	/** A list of names as a set; null entries (e.g. {@code roles: [~]}) are problems, not crashes. */
	private Set<String> names(String key, List<String> raw) {
		if (raw == null) {
			return Set.of();
		}
		Set<String> names = new LinkedHashSet<>();
		for (String name : raw) {
			if (name == null || name.isBlank()) {
				problem(key, name, "an empty entry");
			}
			else {
				names.add(name);
			}
		}
		return Set.copyOf(names);
	}

	private KeySpec keySpec(String key, String raw) {
		if (raw == null) {
			return new KeySpec(KeySpec.Kind.caller, null);
		}
		if (raw.startsWith("body:")) {
			String field = raw.substring("body:".length());
			if (!BODY_FIELD.matcher(field).matches()) {
				problem(key, raw, "expected body:<field>, a JSON field name or dotted path such as body:email");
				return null;
			}
			return new KeySpec(KeySpec.Kind.body, field);
		}
		return switch (raw) {
			case "caller" -> new KeySpec(KeySpec.Kind.caller, null);
			case "ip" -> new KeySpec(KeySpec.Kind.ip, null);
			case "user" -> new KeySpec(KeySpec.Kind.user, null);
			default -> {
				problem(key, raw, "expected caller, ip, user or body:<field>");
				yield null;
			}
		};
	}

	private Bandwidths bandwidths(String key, List<String> raw) {
		if (raw == null || raw.isEmpty()) {
			problem(key, null, "at least one rate is required, e.g. [20/min, 100/hour]");
			return null;
		}
		List<Rate> rates = new ArrayList<>();
		Set<Duration> windows = new LinkedHashSet<>();
		for (String text : raw) {
			Rate rate = rate(key, text);
			if (rate != null) {
				if (!windows.add(rate.window())) {
					problem(key, text, "two rates with the same window");
				}
				rates.add(rate);
			}
		}
		return rates.size() == raw.size() ? Bandwidths.of(rates) : null;
	}

	/** {@code 20/min}, {@code 100/hour}, {@code 1000/day}, {@code 5/10s}. */
	private Rate rate(String key, String text) {
		Matcher m = text == null ? null : RATE.matcher(text);
		if (m == null || !m.matches()) {
			problem(key, text, "expected <tokens>/<window>, e.g. 20/min, 100/hour, 1000/day or 5/10s");
			return null;
		}
		long tokens = Long.parseLong(m.group(1));
		Duration window = switch (m.group(2)) {
			case "s", "sec", "second" -> Duration.ofSeconds(1);
			case "m", "min", "minute" -> Duration.ofMinutes(1);
			case "h", "hour" -> Duration.ofHours(1);
			case "d", "day" -> Duration.ofDays(1);
			default -> {
				try {
					yield DurationStyle.SIMPLE.parse(m.group(2));
				}
				catch (IllegalArgumentException ex) {
					yield null;
				}
			}
		};
		if (window == null) {
			problem(key, text, "unknown window '" + m.group(2) + "': expected s, min, hour, day or a duration such as 10s");
			return null;
		}
		if (tokens < 1) {
			problem(key, text, "at least 1 token per window");
			return null;
		}
		if (window.compareTo(MIN_WINDOW) < 0 || window.compareTo(MAX_WINDOW) > 0) {
			problem(key, text, "the window must be from 1s to 31d");
			return null;
		}
		return new Rate(tokens, window, label(window));
	}

	/** {@code 1m}, {@code 1h}, {@code 1d}, {@code 10s}: the window as it appears in policy names. */
	static String label(Duration window) {
		long seconds = window.toSeconds();
		if (seconds % 86_400 == 0) {
			return seconds / 86_400 + "d";
		}
		if (seconds % 3_600 == 0) {
			return seconds / 3_600 + "h";
		}
		if (seconds % 60 == 0) {
			return seconds / 60 + "m";
		}
		return seconds + "s";
	}

	private Tier tierName(String key, String name) {
		try {
			return Tier.valueOf(name);
		}
		catch (IllegalArgumentException ex) {
			problem(key, name, "unknown tier; expected one of anonymous, basic, premium, admin, internal");
			return null;
		}
	}

	private Mode mode(String key, String text, Mode fallback) {
		if (text == null) {
			return fallback;
		}
		try {
			return Mode.valueOf(text);
		}
		catch (IllegalArgumentException ex) {
			problem(key, text, "expected off, shadow or enforce");
			return fallback;
		}
	}

	private Duration duration(String key, String text) {
		return values.duration(key, text);
	}

	private Duration bounded(String key, String text, Duration min, Duration max, String why) {
		Duration value = duration(key, text);
		if (value != null && (value.compareTo(min) < 0 || value.compareTo(max) > 0)) {
			problem(key, text, "must be from " + min.toMillis() + "ms to " + max.toSeconds() + "s (" + why + ")");
			return null;
		}
		return value;
	}

	private int range(String key, Integer value, int min, int max) {
		return values.range(key, value, min, max);
	}

	private void problem(String key, Object value, String reason) {
		values.problem(key, value, reason);
	}

}
