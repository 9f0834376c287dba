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
import io.cryoprotect.gateway.configfile.ConfigSchema;
import io.cryoprotect.gateway.configfile.ConfigValues;
import io.cryoprotect.gateway.configfile.PolicyMode;
import io.cryoprotect.gateway.configfile.RouteReference;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Bandwidths;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.KeySpec;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.OnFailure;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Rate;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.RequestMatch;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Tier;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.http.HttpMethod;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.util.pattern.PatternParseException;

/**
 * Reads {@code ratelimits.yml} through its schema
 * ({@code filters-conf/ratelimits.schema.json}) and checks what the schema cannot: each
 * rate's window and tokens, no two rates of a list with the same window, no cost above a
 * rate's tokens, the bounds of the Redis timeouts, path patterns that parse, and that a
 * body-keyed limit names its methods and paths; the route ids it names are checked
 * against {@code routes/} by the reloader. A mode override (the operator's
 * {@code GATEWAY_RATELIMIT_MODE}) replaces every limit's mode. Values the schema refused
 * are left to its problems: they stand in as defaults here, and the file is rejected.
 */
final class RateLimitConfigLoader {

	static final String FILE = "ratelimits.yml";

	private static final ConfigSchema SCHEMA = ConfigSchema.load("ratelimits.schema.json", false);

	private static final Pattern RATE = Pattern.compile("\\s*(\\d{1,9})\\s*/\\s*(\\S+)\\s*");

	private static final Duration MIN_WINDOW = Duration.ofSeconds(1);

	private static final Duration MAX_WINDOW = Duration.ofDays(31);

	private final ConfigValues values;

	private final PolicyMode override;

	private final List<RouteReference> routeReferences = new ArrayList<>();

	private RateLimitConfigLoader(ConfigValues values, PolicyMode override) {
		this.values = values;
		this.override = override;
	}

	static boolean isRateLimitFile(String relativePath) {
		return FILE.equals(relativePath);
	}

	static RateLimitConfig loadFiles(ConfigFiles files, PolicyMode override) {
		files.requireReadable();
		String text = files.contents().get(FILE);
		if (text == null) {
			throw new ConfigRejectedException(new ConfigProblem(files.displayName(FILE), "", null, "file not found"));
		}
		return load(files.displayName(FILE), text, override);
	}

	static RateLimitConfig load(String file, String text, PolicyMode override) {
		ConfigValues values = new ConfigValues(file);
		JsonNode tree = SCHEMA.read(values, text);
		return new RateLimitConfigLoader(values, override).read(ConfigSchema.bind(tree, RateLimitFile.class));
	}

	/** Parses {@code off}, {@code shadow} or {@code enforce}; null for blank. */
	static PolicyMode parseMode(String text) {
		if (text == null || text.isBlank()) {
			return null;
		}
		return PolicyMode.valueOf(text.strip().toLowerCase(Locale.ROOT));
	}

	private RateLimitConfig read(RateLimitFile raw) {
		PolicyMode fileMode = ConfigValues.constant(PolicyMode.class, raw.mode(), PolicyMode.enforce);
		Map<Tier, RateLimitConfig.TierRule> tierRules = new LinkedHashMap<>();
		if (raw.tiers() != null) {
			raw.tiers()
				.forEach((name, rule) -> tierRules.put(ConfigValues.constant(Tier.class, name, Tier.anonymous),
						rule == null ? new RateLimitConfig.TierRule(Set.of(), Set.of())
								: new RateLimitConfig.TierRule(names(rule.roles()), names(rule.plans()))));
			tierRules.remove(Tier.anonymous);
		}
		RateLimitConfig.Storage storage = storage(raw.storage());
		List<RateLimitConfig.Limit> limits = new ArrayList<>();
		raw.limits().forEach((id, limit) -> limits.add(limit("limits." + id, id, limit, fileMode)));
		values.rejectIfAny();
		return new RateLimitConfig(List.copyOf(limits), tierRules, storage, List.copyOf(routeReferences));
	}

	private RateLimitConfig.Storage storage(RateLimitFile.Storage raw) {
		RateLimitConfig.Storage defaults = RateLimitConfig.Storage.DEFAULTS;
		Integer maxKeys = raw == null || raw.local() == null ? null : raw.local().maxKeys();
		RateLimitFile.Redis redis = raw == null || raw.redis() == null
				? new RateLimitFile.Redis(null, null, null, null, null) : raw.redis();
		return new RateLimitConfig.Storage(maxKeys == null ? defaults.maxKeys() : maxKeys,
				bounded("storage.redis.commandTimeout", redis.commandTimeout(), defaults.commandTimeout(),
						Duration.ofMillis(5), Duration.ofSeconds(1),
						"every request that Redis answers late waits this long"),
				ConfigValues.constant(OnFailure.class, redis.onFailure(), defaults.onFailure()),
				bounded("storage.redis.retryInterval", redis.retryInterval(), defaults.retryInterval(),
						Duration.ofMillis(100), Duration.ofSeconds(60),
						"how long shared limits stay off after Redis is back, and the Retry-After of deny"),
				redis.replicas() instanceof Integer replicas ? replicas : defaults.replicas(),
				delayedSync(redis.delayedSync()));
	}

	private RateLimitConfig.DelayedSync delayedSync(RateLimitFile.DelayedSync raw) {
		if (raw == null) {
			return null;
		}
		return new RateLimitConfig.DelayedSync(
				ConfigValues.constant(RateLimitConfig.SyncStrategy.class, raw.strategy(),
						RateLimitConfig.SyncStrategy.delaying),
				bounded("storage.redis.delayedSync.maxDelay", raw.maxDelay(), Duration.ofMillis(100),
						Duration.ofMillis(10), Duration.ofSeconds(10),
						"how long other replicas may not see what this one took"),
				raw.maxUnsyncedPercent() == null ? 1 : raw.maxUnsyncedPercent());
	}

	private RateLimitConfig.Limit limit(String key, String id, RateLimitFile.Limit raw, PolicyMode fileMode) {
		RequestMatch match = match(key + ".match", raw.match());
		KeySpec keySpec = keySpec(raw.key());
		Bandwidths base = bandwidths(key + ".rates", raw.rates());
		Map<Tier, Bandwidths> plans = new EnumMap<>(Tier.class);
		if (raw.tiers() != null) {
			raw.tiers().forEach((name, value) -> {
				Tier tier = ConfigValues.constant(Tier.class, name, null);
				if (tier != null && value.isArray()) {
					List<String> rates = new ArrayList<>();
					value.forEach(rate -> rates.add(rate.asString()));
					plans.put(tier, bandwidths(key + ".tiers." + name, rates));
				}
				else if (tier != null && "unlimited".equals(value.asString())) {
					plans.put(tier, null);
				}
			});
		}
		int cost = raw.cost() == null || values.reported(key + ".cost") ? 1 : raw.cost();
		List<RateLimitConfig.CostRule> costs = new ArrayList<>();
		if (raw.costs() != null) {
			for (int i = 0; i < raw.costs().size(); i++) {
				RateLimitFile.Cost rule = raw.costs().get(i);
				String ruleKey = key + ".costs[" + i + "]";
				if (rule.match() != null && rule.cost() != null && !values.reported(ruleKey)) {
					costs.add(new RateLimitConfig.CostRule(match(ruleKey + ".match", rule.match()), rule.cost()));
				}
			}
		}
		if (keySpec.readsBody()
				&& (raw.match() == null || raw.match().methods() == null || raw.match().paths() == null)) {
			values.problem(key + ".match", null,
					"a body-keyed limit must name its methods and paths: it reads the body "
							+ "of every request it matches");
		}
		plans.forEach((tier, plan) -> checkCosts(key + ".tiers." + tier, plan, cost, costs));
		checkCosts(key + ".rates", base, cost, costs);
		PolicyMode mode = override != null ? override : ConfigValues.constant(PolicyMode.class, raw.mode(), fileMode);
		return new RateLimitConfig.Limit(id, match, Boolean.TRUE.equals(raw.isDefault()), keySpec, base, plans, cost,
				List.copyOf(costs), mode);
	}

	/**
	 * A cost above a bandwidth's capacity could never be paid: every such request would
	 * be rejected.
	 */
	private void checkCosts(String key, Bandwidths bandwidths, int cost, List<RateLimitConfig.CostRule> costs) {
		if (bandwidths == null) {
			return;
		}
		int highest = costs.stream().mapToInt(RateLimitConfig.CostRule::cost).reduce(cost, Math::max);
		for (Rate rate : bandwidths.rates()) {
			if (rate.tokens() < highest) {
				values.problem(key, rate.tokens() + "/" + rate.label(),
						"smaller than the highest cost (" + highest + "): such requests could never pass");
			}
		}
	}

	private RequestMatch match(String key, RateLimitFile.Match raw) {
		if (raw == null) {
			return RequestMatch.ANY;
		}
		if (raw.routes() != null) {
			raw.routes().forEach(id -> routeReferences.add(new RouteReference(values.file(), key + ".routes", id)));
		}
		Set<HttpMethod> methods = new LinkedHashSet<>();
		if (raw.methods() != null) {
			raw.methods().forEach(name -> methods.add(HttpMethod.valueOf(name.toUpperCase(Locale.ROOT))));
		}
		List<PathPattern> paths = new ArrayList<>();
		if (raw.paths() != null) {
			for (String path : raw.paths()) {
				try {
					paths.add(PathPatternParser.defaultInstance.parse(path));
				}
				catch (PatternParseException ex) {
					values.problem(key + ".paths", path, "not a path pattern: " + ex.getMessage());
				}
			}
		}
		return new RequestMatch(names(raw.routes()), Set.copyOf(methods), List.copyOf(paths));
	}

	private static Set<String> names(List<String> raw) {
		return raw == null ? Set.of() : Set.copyOf(raw);
	}

	private static KeySpec keySpec(String raw) {
		if (raw != null && raw.startsWith("body:")) {
			return new KeySpec(KeySpec.Kind.body, raw.substring("body:".length()));
		}
		return new KeySpec(ConfigValues.constant(KeySpec.Kind.class, raw, KeySpec.Kind.caller), null);
	}

	/** The rates of one list, those refused left out; null when none is left. */
	private Bandwidths bandwidths(String key, List<String> raw) {
		List<Rate> rates = new ArrayList<>();
		Set<Duration> windows = new LinkedHashSet<>();
		for (String text : raw) {
			Rate rate = rate(key, text);
			if (rate != null) {
				if (!windows.add(rate.window())) {
					values.problem(key, text, "two rates with the same window");
				}
				rates.add(rate);
			}
		}
		return rates.isEmpty() ? null : Bandwidths.of(rates);
	}

	/**
	 * {@code 20/min}, {@code 100/hour}, {@code 1000/day}, {@code 5/10s}; null when the
	 * schema or this refused it.
	 */
	private Rate rate(String key, String text) {
		Matcher m = RATE.matcher(text);
		if (!m.matches()) {
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
			values.problem(key, text,
					"unknown window '" + m.group(2) + "': expected s, min, hour, day or a duration such as 10s");
			return null;
		}
		if (tokens < 1) {
			values.problem(key, text, "at least 1 token per window");
			return null;
		}
		if (window.compareTo(MIN_WINDOW) < 0 || window.compareTo(MAX_WINDOW) > 0) {
			values.problem(key, text, "the window must be from 1s to 31d");
			return null;
		}
		return new Rate(tokens, window, label(window));
	}

	/**
	 * {@code 1m}, {@code 1h}, {@code 1d}, {@code 10s}: the window as it appears in policy
	 * names.
	 */
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

	/**
	 * A duration the schema let through, within {@code [min, max]}; {@code fallback} when
	 * absent or refused.
	 */
	private Duration bounded(String key, String text, Duration fallback, Duration min, Duration max, String why) {
		if (text == null || values.reported(key)) {
			return fallback;
		}
		Duration value = DurationStyle.detectAndParse(text);
		if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
			values.problem(key, text,
					"must be from " + min.toMillis() + "ms to " + max.toSeconds() + "s (" + why + ")");
		}
		return value;
	}

}
