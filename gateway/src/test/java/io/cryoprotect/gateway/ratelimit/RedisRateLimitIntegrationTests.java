package io.cryoprotect.gateway.ratelimit;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.support.RedisServer;
import io.cryoprotect.gateway.support.Scrape;
import io.cryoprotect.gateway.support.StandaloneGateway;
import io.cryoprotect.gateway.support.StubUpstream;
import io.cryoprotect.gateway.support.TestConfigDir;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two gateways sharing one real {@code redis-server}: one global limit, and
 * docs/reliability.md F7 (Redis killed: local buckets of each replica's share, zero 5xx,
 * shared limits resume after a restart) and F8 (Redis paused: no request waits longer
 * than the command timeout). Each test calls from a loopback address of its own, so its
 * per-IP buckets are its own.
 */
@Tag("slow")
class RedisRateLimitIntegrationTests {

	/**
	 * A command timeout a loaded 2-core machine never runs into by accident: at 100 ms a
	 * slow Redis round trip degraded the backend in the middle of tests that expect
	 * shared limits. The hung-Redis test shows the timeout by its cause, so its length
	 * does not matter there.
	 */
	private static final String LIMITS = """
			mode: enforce
			storage:
			  redis: {commandTimeout: 1s, onFailure: %s, retryInterval: 200ms, replicas: auto}
			limits:
			  shared:
			    key: ip
			    rates: [10/min]
			""";

	private static final StubUpstream UPSTREAM = new StubUpstream("flask-blue");

	private static RedisServer redis;

	private static final List<TestConfigDir> FILTERS = new ArrayList<>();

	private static final List<ConfigurableApplicationContext> GATEWAYS = new ArrayList<>();

	@BeforeAll
	static void startRedisAndTwoGateways() {
		redis = new RedisServer();
		for (int i = 0; i < 2; i++) {
			TestConfigDir filters = new TestConfigDir("filters-conf",
					Map.of("ratelimits.yml", text -> LIMITS.formatted("local")));
			FILTERS.add(filters);
			GATEWAYS.add(StandaloneGateway.start("--gateway.filters-conf.dir=" + filters.path(),
					"--gateway.routing.dir=" + new TestConfigDir("routes").path(),
					"--gateway.filters-conf.poll-interval=100ms", "--gateway.ratelimit.redis-url=" + redis.url(),
					"--FLASK_BLUE_URL=" + UPSTREAM.url(), "--FLASK_GREEN_URL=" + UPSTREAM.url(),
					"--RDKIT_URL=" + UPSTREAM.url(), "--CONVEX_URL=" + UPSTREAM.url()));
		}
	}

	@AfterAll
	static void stopAll() {
		GATEWAYS.forEach(ConfigurableApplicationContext::close);
		redis.close();
		UPSTREAM.close();
	}

	@BeforeEach
	void sharedLimitsAreLive() {
		for (int gw = 0; gw < 2; gw++) {
			int g = gw;
			await().atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(50))
				.until(() -> !degraded(g) && replicas(g) == 2);
		}
	}

	@AfterEach
	void redisRunsWithTheDefaultFallback() {
		if (!redis.running()) {
			redis.start();
		}
		for (int gw = 0; gw < 2; gw++) {
			FILTERS.get(gw).restore();
			reloader(gw).reloadNow();
		}
		UPSTREAM.reset();
	}

	@Test
	void twoGatewaysSharingRedisEnforceOneLimit() {
		WebTestClient a = client(0, "127.0.0.10");
		WebTestClient b = client(1, "127.0.0.10");
		for (int i = 0; i < 10; i++) {
			WebTestClient via = i % 2 == 0 ? a : b;
			via.get()
				.uri("/api/v1/molecules")
				.exchange()
				.expectStatus()
				.isOk()
				.expectHeader()
				.valueEquals("RateLimit", "\"shared/1m\";r=" + (9 - i) + ";t=" + (i + 1) * 6)
				.expectBody()
				.returnResult();
		}
		assertThat(status(a)).isEqualTo(429);
		assertThat(status(b)).isEqualTo(429);
		assertThat(UPSTREAM.count()).isEqualTo(10);
	}

	/**
	 * {@code maxUnsyncedPercent: 10} of 10 a minute: each gateway may take one token the
	 * other cannot see yet, so the two let through at most 10 + 2; refusals are answered
	 * from each gateway's copy of the bucket, mostly without a Redis call.
	 */
	@Test
	void aDelayedSyncEditAppliesOnReloadAndKeepsTwoGatewaysWithinTheMargin() {
		String delayed = LIMITS.formatted("local")
			.replace("replicas: auto}",
					"replicas: auto, delayedSync: {strategy: delaying, maxDelay: 10s, maxUnsyncedPercent: 10}}");
		for (int gw = 0; gw < 2; gw++) {
			FILTERS.get(gw).swap("ratelimits.yml", delayed);
			reloader(gw).reloadNow();
			assertThat(storage(gw).get("delayedSync"))
				.isEqualTo(Map.of("strategy", "delaying", "maxDelay", "PT10S", "maxUnsyncedPercent", 10));
		}
		String series = "gateway_ratelimit_redis_skipped_calls_total{reason=\"delayed_sync\"}";
		double skippedBefore = scrape(0).value(series) + scrape(1).value(series);
		WebTestClient a = client(0, "127.0.0.11");
		WebTestClient b = client(1, "127.0.0.11");
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			statuses.add(status(i % 2 == 0 ? a : b));
		}
		long passed = statuses.stream().filter(status -> status == 200).count();
		assertThat(passed).as("statuses %s", statuses).isBetween(10L, 12L);
		assertThat(statuses.subList((int) passed, 20)).as("statuses %s", statuses).containsOnly(429);
		assertThat(UPSTREAM.count()).isEqualTo(passed);
		assertThat(scrape(0).value(series) + scrape(1).value(series) - skippedBefore)
			.as("decisions answered from a gateway's copy")
			.isGreaterThanOrEqualTo(10);
	}

	@Test
	void redisDownFallsBackToEachReplicasShareWithNo5xxAndSharedLimitsResumeAfterRestart() {
		WebTestClient a = client(0, "127.0.0.11");
		WebTestClient b = client(1, "127.0.0.11");
		Scrape before = scrape(0);
		redis.kill();
		// Two replicas were counted: each holds 10 / 2 = 5 of the limit while Redis is
		// away.
		assertThat(statuses(a, 7)).containsExactly(200, 200, 200, 200, 200, 429, 429);
		assertThat(statuses(b, 6)).containsExactly(200, 200, 200, 200, 200, 429);
		assertThat(degraded(0)).isTrue();
		Scrape during = scrape(0);
		assertThat(during.value("gateway_ratelimit_backend_degraded")).isEqualTo(1);
		String fallbacks = "gateway_ratelimit_degraded_decisions_total{limit=\"shared\",route=\"flask-api\",tier=\"anonymous\"}";
		assertThat(during.value(fallbacks) - before.value(fallbacks)).isEqualTo(7);

		redis.start();
		await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> !degraded(0) && !degraded(1));
		assertThat(scrape(0).value("gateway_ratelimit_backend_degraded")).isZero();
		// The restarted Redis kept nothing: one fresh shared bucket of 10 for both
		// gateways.
		List<Integer> shared = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			shared.add(status(i % 2 == 0 ? a : b));
		}
		assertThat(shared).containsExactly(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 429, 429);
	}

	@Test
	void afterALongOutageLettuceReconnectsAtTheRetryIntervalNotAtItsOwnThirtySecondBackoff() {
		String attempts = "gateway_ratelimit_redis_reconnect_attempts_total";
		double before = scrape(0).value(attempts);
		redis.kill();
		// Lettuce's own backoff doubles from 1 ms to 30 s: its 16th attempt would come
		// about a minute into the
		// outage, and the next ones 30 s apart. Capped at retryInterval (200 ms), 16
		// attempts take about two seconds.
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> scrape(0).value(attempts) - before >= 16);
		assertThat(degraded(0)).isTrue();

		redis.start();
		// The next attempt is at most 200 ms away: the probes find Redis again and shared
		// limits resume.
		await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> !degraded(0) && !degraded(1));
		assertThat(scrape(0).value("gateway_ratelimit_backend_degraded")).isZero();
	}

	@Test
	void aHungRedisCostsEachRequestAtMostTheCommandTimeout() {
		WebTestClient a = client(0, "127.0.0.12");
		Scrape before = scrape(0);
		// Paused for longer than the test takes: every request below is answered while
		// Redis answers nothing.
		redis.pause(Duration.ofSeconds(60));
		try {
			for (int i = 0; i < 8; i++) {
				assertThat(status(a)).isEqualTo(i < 5 ? 200 : 429);
			}
			// What bounds the wait is shown by cause, not by a stopwatch: the command
			// timeout gave up on the first
			// request (the backend names it as the reason it degraded), and every
			// request, that one included, was then
			// decided locally without touching Redis again.
			assertThat(storage(0).get("degradedReason")).isEqualTo("no answer within the command timeout");
			String fallbacks = "gateway_ratelimit_degraded_decisions_total{limit=\"shared\",route=\"flask-api\",tier=\"anonymous\"}";
			assertThat(scrape(0).value(fallbacks) - before.value(fallbacks)).isEqualTo(8);
		}
		finally {
			redis.unpause();
		}
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> !degraded(0));
	}

	@Test
	void failOpenAndFailClosedAreChoicesAndNeverA5xx() {
		WebTestClient a = client(0, "127.0.0.13");
		useFallback(0, "allow");
		redis.kill();
		for (int i = 0; i < 12; i++) {
			a.get()
				.uri("/api/v1/molecules")
				.exchange()
				.expectStatus()
				.isOk()
				.expectHeader()
				.doesNotExist("RateLimit")
				.expectBody()
				.returnResult();
		}
		useFallback(0, "deny");
		a.get()
			.uri("/api/v1/molecules")
			.exchange()
			.expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.valueEquals("Retry-After", "1")
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo(
					"Rate limits cannot be checked right now; limit 'shared' refuses requests until they can. Retry in 1 s.");
		redis.start();
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> !degraded(0));
		assertThat(status(a)).isEqualTo(200);
	}

	@Test
	void aGatewayStartedWhileRedisIsDownServesOnLocalBucketsAndSharesOnceRedisIsUp() {
		try (RedisServer late = new RedisServer()) {
			late.kill();
			TestConfigDir filters = new TestConfigDir("filters-conf",
					Map.of("ratelimits.yml", text -> LIMITS.formatted("local")));
			try (ConfigurableApplicationContext gateway = StandaloneGateway.start(
					"--gateway.filters-conf.dir=" + filters.path(),
					"--gateway.routing.dir=" + new TestConfigDir("routes").path(),
					"--gateway.ratelimit.redis-url=" + late.url(), "--FLASK_BLUE_URL=" + UPSTREAM.url(),
					"--FLASK_GREEN_URL=" + UPSTREAM.url())) {
				GATEWAYS.add(gateway);
				int index = GATEWAYS.size() - 1;
				try {
					assertThat(degraded(index)).isTrue();
					await().atMost(Duration.ofSeconds(10))
						.pollInterval(Duration.ofMillis(50))
						.until(() -> String.valueOf(storage(index).get("degradedReason"))
							.contains("Connection refused"));
					// No replica was ever counted: the local bucket holds the whole
					// limit.
					assertThat(statuses(client(index, "127.0.0.14"), 11)).containsOnly(200, 429)
						.containsSequence(200, 429)
						.filteredOn(status -> status == 200)
						.hasSize(10);
					late.start();
					await().atMost(Duration.ofSeconds(10))
						.pollInterval(Duration.ofMillis(50))
						.until(() -> !degraded(index));
					client(index, "127.0.0.14").get()
						.uri("/api/v1/molecules")
						.exchange()
						.expectStatus()
						.isOk()
						.expectHeader()
						.valueEquals("RateLimit", "\"shared/1m\";r=9;t=6")
						.expectBody()
						.returnResult();
				}
				finally {
					GATEWAYS.remove(index);
				}
			}
		}
	}

	private void useFallback(int gateway, String onFailure) {
		// Counted before the swap: the 100 ms poll may apply the new file before
		// reloadNow
		// does.
		long applied = reloader(gateway).appliedCount();
		FILTERS.get(gateway).swap("ratelimits.yml", LIMITS.formatted(onFailure));
		reloader(gateway).reloadNow();
		assertThat(reloader(gateway).appliedCount()).isEqualTo(applied + 1);
	}

	@SuppressWarnings("unchecked")
	private static ConfigReloader<RateLimitConfig> reloader(int gateway) {
		return GATEWAYS.get(gateway).getBean("rateLimitReloader", ConfigReloader.class);
	}

	private static WebTestClient client(int gateway, String fromAddress) {
		HttpClient http = HttpClient.create().bindAddress(() -> new InetSocketAddress(fromAddress, 0));
		return WebTestClient.bindToServer(new ReactorClientHttpConnector(http))
			.baseUrl("http://127.0.0.1:" + StandaloneGateway.port(GATEWAYS.get(gateway)))
			.responseTimeout(Duration.ofSeconds(10))
			.build();
	}

	private static WebTestClient management(int gateway) {
		return WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + StandaloneGateway.managementPort(GATEWAYS.get(gateway)))
			.responseTimeout(Duration.ofSeconds(10))
			.build();
	}

	private static int status(WebTestClient client) {
		EntityExchangeResult<byte[]> result = client.get()
			.uri("/api/v1/molecules")
			.exchange()
			.expectBody()
			.returnResult();
		assertThat(result.getStatus().is5xxServerError()).as("never a 5xx").isFalse();
		return result.getStatus().value();
	}

	private static List<Integer> statuses(WebTestClient client, int count) {
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			statuses.add(status(client));
		}
		return statuses;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> storage(int gateway) {
		Map<String, Object> status = management(gateway).get()
			.uri("/actuator/gatewayratelimits")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(Map.class)
			.returnResult()
			.getResponseBody();
		return (Map<String, Object>) status.get("storage");
	}

	private static boolean degraded(int gateway) {
		return Boolean.TRUE.equals(storage(gateway).get("degraded"));
	}

	private static int replicas(int gateway) {
		return ((Number) storage(gateway).get("replicas")).intValue();
	}

	private static Scrape scrape(int gateway) {
		return new Scrape(management(gateway).get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody());
	}

}
