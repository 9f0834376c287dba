package io.cryoprotect.gateway.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.cryoprotect.gateway.configfile.PolicyMode;
import io.cryoprotect.gateway.configfile.RouteReference;
import io.cryoprotect.gateway.support.Caller;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;

import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;

/**
 * {@code ratelimits.yml} compiled: the limits with their Bucket4j configurations per
 * tier, the tier rules, the storage settings, and where the file names routes. Immutable;
 * a reload builds a new one.
 */
record RateLimitConfig(List<Limit> limits, Map<Tier, TierRule> tierRules, Storage storage,
		List<RouteReference> routeReferences) {

	enum Tier {

		anonymous, basic, premium, admin, internal

	}

	enum OnFailure {

		local, allow, deny

	}

	/**
	 * {@code tokens} per {@code window}, refilled greedily; {@code label} names it in
	 * headers, e.g. {@code 1m}.
	 */
	record Rate(long tokens, Duration window, String label) {
	}

	/**
	 * A bucket configuration and its fingerprint: local buckets are reconfigured when it
	 * changes, shared ones are keyed by it.
	 */
	record Bandwidths(List<Rate> rates, BucketConfiguration configuration, long version, Duration longestWindow) {

		static Bandwidths of(List<Rate> rates) {
			var builder = BucketConfiguration.builder();
			Duration longest = Duration.ZERO;
			StringBuilder canonical = new StringBuilder();
			for (Rate rate : rates) {
				builder.addLimit(Bandwidth.builder()
					.capacity(rate.tokens())
					.refillGreedy(rate.tokens(), rate.window())
					.id(rate.label())
					.build());
				longest = rate.window().compareTo(longest) > 0 ? rate.window() : longest;
				canonical.append(rate.tokens()).append('/').append(rate.window()).append(';');
			}
			// Stable across replicas and restarts: the same rates give the same shared
			// buckets.
			long version = canonical.toString().hashCode() & 0x7fffffffL;
			return new Bandwidths(List.copyOf(rates), builder.build(), version, longest);
		}

		/**
		 * This replica's share of the limits, for the buckets it falls back to when Redis
		 * fails; never below {@code minTokens} (the request's cost), or such requests
		 * could never pass.
		 */
		Bandwidths share(int replicas, long minTokens) {
			if (replicas <= 1) {
				return this;
			}
			List<Rate> shared = new ArrayList<>(rates.size());
			for (Rate rate : rates) {
				long tokens = Math.max(minTokens, (rate.tokens() + replicas - 1) / replicas);
				shared.add(new Rate(Math.min(tokens, rate.tokens()), rate.window(), rate.label()));
			}
			return of(shared);
		}

	}

	/** What a bucket is per. */
	record KeySpec(Kind kind, String field) {

		enum Kind {

			caller, ip, user, body

		}

		boolean readsBody() {
			return kind == Kind.body;
		}

		@Override
		public String toString() {
			return kind == Kind.body ? "body:" + field : kind.name();
		}

	}

	/** Route ids, methods and path patterns; an empty set or list matches anything. */
	record RequestMatch(Set<String> routes, Set<HttpMethod> methods, List<PathPattern> paths) {

		static final RequestMatch ANY = new RequestMatch(Set.of(), Set.of(), List.of());

		boolean matches(String routeId, HttpMethod method, PathContainer path) {
			if (!routes.isEmpty() && !routes.contains(routeId)) {
				return false;
			}
			if (!methods.isEmpty() && !methods.contains(method)) {
				return false;
			}
			if (paths.isEmpty()) {
				return true;
			}
			for (PathPattern pattern : paths) {
				if (pattern.matches(path)) {
					return true;
				}
			}
			return false;
		}

	}

	record CostRule(RequestMatch match, int cost) {
	}

	/**
	 * One limit. A tier missing from {@code plans} gets the base plan; a tier mapped to
	 * null is unlimited.
	 */
	record Limit(String id, RequestMatch match, boolean isDefault, KeySpec key, Bandwidths base,
			Map<Tier, Bandwidths> plans, int cost, List<CostRule> costs, PolicyMode mode) {

		/** The tier's bandwidths, or null when the tier is unlimited. */
		Bandwidths plan(Tier tier) {
			return plans.containsKey(tier) ? plans.get(tier) : base;
		}

		int cost(String routeId, HttpMethod method, PathContainer path) {
			for (CostRule rule : costs) {
				if (rule.match().matches(routeId, method, path)) {
					return rule.cost();
				}
			}
			return cost;
		}

	}

	/**
	 * Matches a verified caller by role or plan; with neither listed, any verified
	 * caller.
	 */
	record TierRule(Set<String> roles, Set<String> plans) {

		boolean matches(Caller caller) {
			if (roles.isEmpty() && plans.isEmpty()) {
				return true;
			}
			return roles.contains(caller.role()) || (caller.plan() != null && plans.contains(caller.plan()));
		}

	}

	/**
	 * @param replicas gateways sharing the limits, or null to count them through Redis
	 * @param delayedSync decisions on each replica's copy of a shared bucket, or null for
	 * a Redis round trip per decision
	 */
	record Storage(int maxKeys, Duration commandTimeout, OnFailure onFailure, Duration retryInterval, Integer replicas,
			DelayedSync delayedSync) {

		/**
		 * What a file without a storage section gets, and what the backend uses before
		 * any file loaded.
		 */
		static final Storage DEFAULTS = new Storage(100_000, Duration.ofMillis(50), OnFailure.local,
				Duration.ofSeconds(1), null, null);

	}

	enum SyncStrategy {

		delaying, predicting

	}

	/**
	 * Bucket4j's delaying or predicting optimization: a replica answers from its copy of
	 * a shared bucket and writes what it took to Redis once {@code maxDelay} passed or
	 * once it holds {@link #maxUnsyncedTokens} not yet written.
	 */
	record DelayedSync(SyncStrategy strategy, Duration maxDelay, int maxUnsyncedPercent) {

		/**
		 * {@code maxUnsyncedPercent} of the smallest capacity among the bucket's rates,
		 * rounded down: what one replica may take before the others can see it.
		 */
		long maxUnsyncedTokens(Bandwidths bandwidths) {
			long smallest = Long.MAX_VALUE;
			for (Rate rate : bandwidths.rates()) {
				smallest = Math.min(smallest, rate.tokens());
			}
			return smallest * maxUnsyncedPercent / 100;
		}

	}

	/**
	 * The one-line summary the reload log shows: limits with their modes, tier order and
	 * storage.
	 */
	@Override
	public String toString() {
		StringBuilder sb = new StringBuilder().append(limits.size()).append(" limits [");
		for (int i = 0; i < limits.size(); i++) {
			Limit limit = limits.get(i);
			sb.append(i == 0 ? "" : ", ")
				.append(limit.id())
				.append(' ')
				.append(limit.mode())
				.append(limit.isDefault() ? " default" : "");
		}
		return sb.append("], tiers ")
			.append(tierRules.keySet())
			.append(", local maxKeys ")
			.append(storage.maxKeys())
			.append(", on Redis failure ")
			.append(storage.onFailure())
			.append(", Redis delayed sync ")
			.append(storage.delayedSync() == null ? "off"
					: storage.delayedSync().strategy() + " " + storage.delayedSync().maxDelay().toMillis() + "ms "
							+ storage.delayedSync().maxUnsyncedPercent() + "%")
			.toString();
	}

	Tier tier(Caller caller) {
		if (caller == null) {
			return Tier.anonymous;
		}
		for (Map.Entry<Tier, TierRule> rule : tierRules.entrySet()) {
			if (rule.getValue().matches(caller)) {
				return rule.getKey();
			}
		}
		return Tier.basic;
	}

	/**
	 * The limits that apply to a request, modes off left out: every matching limit, or,
	 * when none but default ones match, the matching default limits.
	 */
	List<Limit> applicable(String routeId, HttpMethod method, PathContainer path) {
		List<Limit> specific = new ArrayList<>(2);
		List<Limit> defaults = null;
		boolean matched = false;
		for (Limit limit : limits) {
			if (!limit.match().matches(routeId, method, path)) {
				continue;
			}
			if (limit.isDefault()) {
				if (limit.mode() != PolicyMode.off) {
					defaults = defaults == null ? new ArrayList<>(2) : defaults;
					defaults.add(limit);
				}
			}
			else {
				matched = true;
				if (limit.mode() != PolicyMode.off) {
					specific.add(limit);
				}
			}
		}
		return matched || defaults == null ? specific : defaults;
	}

}
