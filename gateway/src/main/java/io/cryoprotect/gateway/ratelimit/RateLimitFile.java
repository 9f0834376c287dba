package io.cryoprotect.gateway.ratelimit;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.JsonNode;

/**
 * The operator-facing format of {@code filters-conf/ratelimits.yml}, bound once its
 * schema ({@code filters-conf/ratelimits.schema.json}) checked the file. Rates are
 * strings such as {@code 20/min}, {@code 100/hour}, {@code 5/10s}; durations such as
 * {@code 50ms}. Names from a closed list stay text here, so that a file with a wrong one
 * still binds and all its problems are reported.
 *
 * @param mode default mode of every limit that sets none: {@code off}, {@code shadow} or
 * {@code enforce}
 * @param tiers how a verified caller's tier is found, in order, first match wins; callers
 * without a verified token are {@code anonymous}
 * @param storage bucket storage: local bounds, and what to do when Redis fails
 * @param limits the limits by id (the id names them in headers, metrics and bucket keys);
 * a request is checked against every limit that matches it
 */
public record RateLimitFile(String mode, Map<String, TierRule> tiers, Storage storage, Map<String, Limit> limits) {

	/**
	 * A tier matches a caller whose {@code role} claim is in {@code roles} or whose plan
	 * is in {@code plans}; with neither, every verified caller.
	 */
	public record TierRule(List<String> roles, List<String> plans) {
	}

	public record Storage(Local local, Redis redis) {
	}

	/**
	 * Local buckets: at most {@code maxKeys}, each dropped once idle for its longest
	 * window.
	 */
	public record Local(Integer maxKeys) {
	}

	/**
	 * Redis-backed buckets, used when {@code GATEWAY_RATELIMIT_REDIS_URL} is set.
	 *
	 * @param commandTimeout longest a request waits on Redis
	 * @param onFailure {@code local} (buckets of this replica's share), {@code allow} or
	 * {@code deny}
	 * @param retryInterval how often a degraded gateway probes Redis to resume
	 * @param replicas gateways sharing the limits, to size local buckets: {@code auto}
	 * (counted through Redis while it works) or a number
	 * @param delayedSync decisions on each replica's copy of a shared bucket, written to
	 * Redis in arrears; absent: every decision is a Redis round trip
	 */
	public record Redis(String commandTimeout, String onFailure, String retryInterval, Object replicas,
			DelayedSync delayedSync) {
	}

	/**
	 * Bucket4j's delaying or predicting optimization for Redis-backed buckets.
	 *
	 * @param strategy {@code delaying} or {@code predicting} (also subtracts what the
	 * other replicas are predicted to have taken since the last write)
	 * @param maxDelay a replica writes what it took to Redis at least this often
	 * @param maxUnsyncedPercent and once it took this share of a bucket's smallest
	 * capacity
	 */
	public record DelayedSync(String strategy, String maxDelay, Integer maxUnsyncedPercent) {
	}

	/**
	 * One limit.
	 *
	 * @param match which requests it applies to; absent: all
	 * @param isDefault applies only to requests that no other limit matches
	 * (Flask-Limiter's default limits)
	 * @param key what a bucket is per: {@code caller} (verified subject, else client IP),
	 * {@code ip}, {@code user} (verified callers only) or {@code body:<field>} (a JSON
	 * body field, e.g. the submitted username)
	 * @param rates the bandwidths every caller gets, all enforced together
	 * @param tiers per tier, other rates, or {@code unlimited}
	 * @param cost tokens a request takes; default 1
	 * @param costs other costs for some of the matched requests, first match wins
	 * @param mode this limit's mode; default the file's
	 */
	public record Limit(Match match, @JsonProperty("default") Boolean isDefault, String key, List<String> rates,
			Map<String, JsonNode> tiers, Integer cost, List<Cost> costs, String mode) {
	}

	/**
	 * Route ids, methods and path patterns (Spring PathPattern syntax); an absent list
	 * matches anything.
	 */
	public record Match(List<String> routes, List<String> methods, List<String> paths) {
	}

	public record Cost(Match match, Integer cost) {
	}

}
