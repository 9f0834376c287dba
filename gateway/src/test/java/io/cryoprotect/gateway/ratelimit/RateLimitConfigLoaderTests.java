package io.cryoprotect.gateway.ratelimit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.cryoprotect.gateway.configfile.ConfigRejectedException;
import io.cryoprotect.gateway.configfile.PolicyMode;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Limit;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Tier;
import io.cryoprotect.gateway.support.Caller;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RateLimitConfigLoaderTests {

	private static RateLimitConfig shipped(PolicyMode override) throws Exception {
		return RateLimitConfigLoader.load("ratelimits.yml", Files.readString(Path.of("../filters-conf/ratelimits.yml")),
				override);
	}

	private static List<String> applicable(RateLimitConfig config, String route, HttpMethod method, String path) {
		return config.applicable(route, method, PathContainer.parsePath(path)).stream().map(Limit::id).toList();
	}

	@Test
	void shippedLimitsAreFlasksLimits() throws Exception {
		RateLimitConfig config = shipped(null);
		Limit perCaller = config.limits().get(0);
		assertThat(perCaller.isDefault()).isTrue();
		assertThat(perCaller.plan(Tier.anonymous).rates()).extracting(r -> r.tokens() + "/" + r.window())
			.containsExactly("20/PT1M", "100/PT1H", "1000/PT24H");
		assertThat(perCaller.plan(Tier.basic)).isSameAs(perCaller.base());
		assertThat(perCaller.plan(Tier.premium).rates().get(0).tokens()).isEqualTo(40);
		assertThat(perCaller.plan(Tier.admin).rates().get(0).tokens()).isEqualTo(100);
		assertThat(perCaller.plan(Tier.internal)).as("internal is unlimited").isNull();

		assertThat(applicable(config, "flask-api", HttpMethod.GET, "/api/v1/molecules/42"))
			.containsExactly("molecules-mixtures");
		assertThat(applicable(config, "flask-api", HttpMethod.POST, "/api/v1/batch")).containsExactly("batch");
		assertThat(applicable(config, "rdkit", HttpMethod.POST, "/rdkit/visualization"))
			.containsExactly("rdkit-properties");
		assertThat(applicable(config, "rdkit", HttpMethod.POST, "/rdkit/substructure-search"))
			.containsExactly("rdkit-search");
		assertThat(applicable(config, "flask-api", HttpMethod.POST, "/auth/login")).containsExactly("auth-ip",
				"auth-username");
		assertThat(applicable(config, "flask-api", HttpMethod.POST, "/auth/refresh")).containsExactly("auth-ip");
		assertThat(applicable(config, "flask-api", HttpMethod.GET, "/auth/validate")).as("default limits")
			.containsExactly("per-caller");
		assertThat(applicable(config, "convex", HttpMethod.POST, "/convex/api/query")).containsExactly("convex");
	}

	@Test
	void tiersComeFromRoleAndPlanFirstMatchWins() throws Exception {
		RateLimitConfig config = shipped(null);
		assertThat(config.tier(null)).isEqualTo(Tier.anonymous);
		assertThat(config.tier(caller("user", null))).isEqualTo(Tier.basic);
		assertThat(config.tier(caller("user", "premium"))).isEqualTo(Tier.premium);
		assertThat(config.tier(caller("admin", "premium"))).isEqualTo(Tier.admin);
		assertThat(config.tier(caller("service_role", null))).isEqualTo(Tier.internal);
	}

	@Test
	void modeOverrideReplacesEveryLimitsMode() throws Exception {
		assertThat(shipped(null).limits()).extracting(Limit::mode).containsOnly(PolicyMode.enforce);
		assertThat(shipped(PolicyMode.shadow).limits()).extracting(Limit::mode).containsOnly(PolicyMode.shadow);
		RateLimitConfig off = shipped(PolicyMode.off);
		assertThat(applicable(off, "flask-api", HttpMethod.GET, "/api/v1/molecules")).isEmpty();
	}

	@Test
	void storageDefaultsAndSettings() throws Exception {
		RateLimitConfig.Storage storage = shipped(null).storage();
		assertThat(storage.commandTimeout()).isEqualTo(Duration.ofMillis(50));
		assertThat(storage.onFailure()).isEqualTo(RateLimitConfig.OnFailure.local);
		assertThat(storage.replicas()).as("auto").isNull();
		assertThat(storage.maxKeys()).isEqualTo(100_000);
	}

	@Test
	void delayedSyncAsShippedOffWhenAbsentAndItsShareIsOfTheSmallestCapacity() throws Exception {
		assertThat(shipped(null).storage().delayedSync()).isEqualTo(
				new RateLimitConfig.DelayedSync(RateLimitConfig.SyncStrategy.delaying, Duration.ofMillis(100), 5));
		assertThat(RateLimitConfigLoader.load("ratelimits.yml", "limits: {a: {rates: [1/min]}}", null)
			.storage()
			.delayedSync()).isNull();
		String text = """
				storage:
				  redis: {delayedSync: {strategy: predicting, maxDelay: 250ms, maxUnsyncedPercent: 5}}
				limits:
				  a: {rates: [40/min, 100/hour]}
				  b: {rates: [10/min]}
				""";
		RateLimitConfig config = RateLimitConfigLoader.load("ratelimits.yml", text, null);
		RateLimitConfig.DelayedSync sync = config.storage().delayedSync();
		assertThat(sync).isEqualTo(
				new RateLimitConfig.DelayedSync(RateLimitConfig.SyncStrategy.predicting, Duration.ofMillis(250), 5));
		assertThat(sync.maxUnsyncedTokens(config.limits().get(0).base())).as("5% of 40").isEqualTo(2);
		assertThat(sync.maxUnsyncedTokens(config.limits().get(1).base())).as("5% of 10, rounded down").isZero();
	}

	@Test
	void delayedSyncProblemsAreNamedWithFileKeyAndValue() {
		String text = """
				storage:
				  redis: {delayedSync: {strategy: eager, maxDelay: 1m, maxUnsyncedPercent: 80}}
				limits:
				  a: {rates: [40/min]}
				""";
		assertThatThrownBy(() -> RateLimitConfigLoader.load("filters-conf/ratelimits.yml", text, null))
			.isInstanceOf(ConfigRejectedException.class)
			.hasMessageContaining(
					"key 'storage.redis.delayedSync.strategy' value 'eager': expected delaying or predicting")
			.hasMessageContaining("key 'storage.redis.delayedSync.maxDelay' value '1m': must be from 10ms to 10s")
			.hasMessageContaining(
					"key 'storage.redis.delayedSync.maxUnsyncedPercent' value '80': required, an integer from 1 to 50");
		String incomplete = """
				storage:
				  redis: {delayedSync: {strategy: delaying}}
				limits:
				  a: {rates: [40/min]}
				""";
		assertThatThrownBy(() -> RateLimitConfigLoader.load("filters-conf/ratelimits.yml", incomplete, null))
			.isInstanceOf(ConfigRejectedException.class)
			.hasMessageContaining("key 'storage.redis.delayedSync.maxDelay': required")
			.hasMessageContaining("key 'storage.redis.delayedSync.maxUnsyncedPercent': required");
	}

	@Test
	void replicaShareRoundsUpAndKeepsWindows() throws Exception {
		RateLimitConfig.Bandwidths base = shipped(null).limits().get(0).base();
		assertThat(base.share(3, 1).rates()).extracting(RateLimitConfig.Rate::tokens).containsExactly(7L, 34L, 334L);
		assertThat(base.share(1, 1)).isSameAs(base);
		assertThat(base.share(3, 1).version()).isNotEqualTo(base.version());
		assertThat(base.share(10, 4).rates()).as("never below the request's cost")
			.extracting(RateLimitConfig.Rate::tokens)
			.containsExactly(4L, 10L, 100L);
	}

	@Test
	void everyProblemIsNamedWithFileKeyAndValue() {
		String text = """
				mode: enforcing
				tiers:
				  gold: {plans: [gold]}
				storage:
				  redis: {commandTimeout: 5s, onFailure: maybe, replicas: many, retryInterval: 1ms}
				limits:
				  Bad_Id:
				    rates: [20/min]
				  a:
				    key: header:x
				    rates: [20/fortnight, 0/min, 5]
				  b:
				    match: {paths: [api/v1], methods: [FETCH]}
				    rates: [2/min]
				    cost: 3
				  c:
				    rates: [10/min]
				    tiers: {premium: 40/min}
				  d:
				    key: body:email
				    match: {routes: [flask-api, ""]}
				    rates: [5/min]
				""";
		assertThatThrownBy(() -> RateLimitConfigLoader.load("filters-conf/ratelimits.yml", text, null))
			.isInstanceOf(ConfigRejectedException.class)
			.hasMessageContaining(
					"filters-conf/ratelimits.yml: key 'mode' value 'enforcing': expected off, shadow or enforce")
			.hasMessageContaining("key 'tiers' value 'gold': unknown tier")
			.hasMessageContaining("key 'storage.redis.commandTimeout' value '5s': must be from 5ms to 1s")
			.hasMessageContaining("key 'storage.redis.onFailure' value 'maybe': expected local, allow or deny")
			.hasMessageContaining("key 'storage.redis.replicas' value 'many'")
			.hasMessageContaining("key 'storage.redis.retryInterval' value '1ms': must be from 100ms to 60s")
			.hasMessageContaining("key 'limits.Bad_Id' value 'Bad_Id'")
			.hasMessageContaining("key 'limits.a.key' value 'header:x': expected caller, ip, user or body:<field>")
			.hasMessageContaining("key 'limits.a.rates' value '20/fortnight': unknown window 'fortnight'")
			.hasMessageContaining("key 'limits.a.rates' value '0/min': at least 1 token per window")
			.hasMessageContaining("key 'limits.a.rates' value '5': expected <tokens>/<window>")
			.hasMessageContaining("key 'limits.b.match.paths' value 'api/v1': must start with '/'")
			.hasMessageContaining("key 'limits.b.match.methods' value 'FETCH': not an HTTP method")
			.hasMessageContaining("key 'limits.b.rates' value '2/1m': smaller than the highest cost (3)")
			.hasMessageContaining("key 'limits.c.tiers.premium' value '40/min': expected a list of rates")
			.hasMessageContaining("key 'limits.d.match.routes' value '': an empty entry")
			.hasMessageContaining("key 'limits.d.match': a body-keyed limit must name its methods and paths");
	}

	@Test
	void unknownKeysAreRejectedWithTheirLine() {
		String text = """
				mode: enforce
				limits:
				  a:
				    rates: [1/min]
				    burst: 5
				""";
		assertThatThrownBy(() -> RateLimitConfigLoader.load("ratelimits.yml", text, null))
			.isInstanceOf(ConfigRejectedException.class)
			.hasMessageContaining("ratelimits.yml:5: key 'limits.a.burst' value 'burst': unknown key");
	}

	private static Caller caller(String role, String plan) {
		return new Caller("user-1", "u@example.org", role, plan, null);
	}

}
