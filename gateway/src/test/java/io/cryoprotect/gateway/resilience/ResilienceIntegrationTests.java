package io.cryoprotect.gateway.resilience;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import io.cryoprotect.gateway.support.RawHttp;
import io.cryoprotect.gateway.support.Scrape;
import io.cryoprotect.gateway.support.Traffic;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * docs/reliability.md F1–F6 over real sockets, with a test resilience.yml: short
 * timeouts, small breaker windows, a retry budget without floor, and small pools. One
 * end-to-end case per behaviour; which request is retried on which failure, budget,
 * breaker state and Retry-After is decided row by row in
 * {@link ResilienceGatewayFilterTests}.
 */
class ResilienceIntegrationTests extends GatewayIntegrationTest {

	private static final String PRESET = """
			    connectTimeout: 500ms
			    responseTimeout: %s
			    requestTimeout: 3s
			    retry:
			      maxAttempts: %d
			      initialBackoff: 10ms
			      maxBackoff: 50ms
			      multiplier: 2.0
			      jitter: 0.5
			      retryOn: [connect-failure, reset, 502, 503, 504]
			      maxRetryAfter: 1s
			""";

	private static final String CONFIG = """
			defaultPreset: read
			presets:
			  read:
			%s  write:
			%s  hang:
			%sroutes:
			  flask-api:
			    preset: read
			    methods: {POST: write, PUT: write}
			    %s
			  rdkit:
			    preset: hang
			  convex:
			    preset: write
			upstreams:
			  defaults:
			    breaker:
			      failureRateThreshold: 50
			      slowCallRateThreshold: 100
			      slowCallDuration: 10s
			      slidingWindowSize: %d
			      minimumNumberOfCalls: %d
			      waitInOpenState: %s
			      permittedCallsInHalfOpenState: 1
			    retryBudget: {ratio: 0.2, minRetriesPerSecond: %d, window: 10s}
			    pool: {maxConnections: 4, pendingAcquireMaxCount: 100, pendingAcquireTimeout: 2s, maxIdleTime: 200ms, maxLifeTime: 1m, evictionInterval: 100ms}
			    healthCheck: {enabled: false, path: /health, interval: 1s, timeout: 500ms, healthyThreshold: 1, unhealthyThreshold: 1}
			""";

	private static final String MIXTURE = "{\"name\":\"VS55\",\"components\":[{\"molecule_id\":"
			+ "\"8b2d4e61-1a3c-4f5e-8d7a-2b9c0e1f3a45\",\"concentration\":3.1,\"concentration_unit\":\"mM\"}]}";

	private static final String SIMILARITY = "{\"mol1_data\":\"OCC(O)CO\",\"mol2_data\":\"CS(=O)C\"}";

	private static final String PROPERTIES = "{\"molecule_data\":\"OCC(O)CO\",\"input_format\":\"smiles\"}";

	private static final String BREAKER_REJECTED = "gateway_circuit_breaker_rejected_total{route=\"flask-api\","
			+ "upstream=\"flask-api/blue\"}";

	private static final String CONNECT_RETRIES = "gateway_retries_total{reason=\"connect_failure\",route=\"flask-api\","
			+ "upstream=\"flask-api/blue\"}";

	@Autowired
	private ConfigReloader<ResilienceConfig> resilience;

	@BeforeEach
	void useTestPolicies() {
		apply("", "60s", 4);
	}

	private void apply(String fallback, String waitInOpenState, int breakerWindow) {
		apply(fallback, waitInOpenState, breakerWindow, 10);
	}

	private void apply(String fallback, String waitInOpenState, int breakerWindow, int minRetriesPerSecond) {
		long rejectedBefore = resilience.rejectedCount();
		FILTERS.swap("resilience.yml",
				CONFIG.formatted(PRESET.formatted("2s", 3), PRESET.formatted("2s", 2), PRESET.formatted("1s", 1),
						fallback, breakerWindow, breakerWindow, waitInOpenState, minRetriesPerSecond));
		resilience.reloadNow();
		assertThat(resilience.rejectedCount()).as("test config must load").isEqualTo(rejectedBefore);
	}

	@Test
	void downUpstreamFailsFastThenTheBreakerOpensAnswers503WithRetryAfterAndClosesAfterRecovery() {
		apply("", "1s", 4);
		FLASK_BLUE.down();
		client().get()
			.uri("/api/v1/molecules")
			.exchange()
			.expectStatus()
			.isEqualTo(502)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://cryoprotect.io/problems/upstream-unreachable");
		// Each request makes up to 3 attempts; the breaker's window of 4 fills within two
		// requests.
		assertThat(upstreamOf("/api/v1/molecules")).isIn("502 -", "503 -");
		assertThat(upstreamOf("/api/v1/molecules")).isEqualTo("503 -");
		Scrape open = scrape();
		client().get()
			.uri("/api/v1/molecules")
			.exchange()
			.expectStatus()
			.isEqualTo(503)
			.expectHeader()
			.valueEquals("Retry-After", "1")
			.expectBody()
			.jsonPath("$.retryAfterSeconds")
			.isEqualTo(1)
			.jsonPath("$.type")
			.isEqualTo("https://cryoprotect.io/problems/upstream-unavailable");
		// Failing fast is shown by what happened, not by a stopwatch: the breaker refused
		// the request, and no
		// attempt (hence no connect timeout, no backoff) was made.
		Scrape after = scrape();
		assertThat(after.value(BREAKER_REJECTED) - open.value(BREAKER_REJECTED)).isEqualTo(1);
		assertThat(after.value(CONNECT_RETRIES)).isEqualTo(open.value(CONNECT_RETRIES));
		management().get()
			.uri("/actuator/gatewayupstreams")
			.exchange()
			.expectBody()
			.jsonPath("$.breakers['flask-api/blue']")
			.isEqualTo("OPEN");
		management().get()
			.uri("/actuator/health/readiness")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();

		FLASK_BLUE.up(null);
		await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> upstreamOf("/api/v1/molecules").equals("200 flask-blue"));
		management().get()
			.uri("/actuator/gatewayupstreams")
			.exchange()
			.expectBody()
			.jsonPath("$.breakers['flask-api/blue']")
			.isEqualTo("CLOSED");
	}

	@Test
	void deadColourWithAFallbackCostsNoErrorsBeforeOrAfterItsBreakerOpens() {
		apply("fallback: {colour: green}", "60s", 4);
		FLASK_BLUE.down();
		Scrape before = scrape();
		// Refused on blue, so nothing was sent: even a POST without Idempotency-Key goes
		// on to green, body and all,
		// whether validation read the body first (mixtures) or it streams straight from
		// the client (batch).
		for (String path : List.of("/api/v1/mixtures", "/api/v1/batch")) {
			client().post()
				.uri(path)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(MIXTURE)
				.exchange()
				.expectStatus()
				.isOk()
				.expectHeader()
				.valueEquals("X-Upstream", "flask-green")
				.expectBody()
				.returnResult();
		}
		assertThat(FLASK_GREEN.received()).hasSize(2).allSatisfy(r -> {
			assertThat(r.method()).isEqualTo("POST");
			assertThat(r.bodyText()).isEqualTo(MIXTURE);
		});
		// Each refused connection is a breaker failure: the window of 4 fills, the
		// breaker opens, green still answers.
		for (int i = 0; i < 8; i++) {
			assertThat(upstreamOf("/api/v1/molecules")).isEqualTo("200 flask-green");
		}
		management().get()
			.uri("/actuator/gatewayupstreams")
			.exchange()
			.expectBody()
			.jsonPath("$.breakers['flask-api/blue']")
			.isEqualTo("OPEN")
			.jsonPath("$.breakers['flask-api/green']")
			.isEqualTo("CLOSED")
			.jsonPath("$.fallbacks['flask-api'].state")
			.isEqualTo("active");
		Scrape after = scrape();
		String fallbacks = "gateway_fallbacks_total{fallback=\"flask-api/green\",reason=\"%s\",route=\"flask-api\","
				+ "upstream=\"flask-api/blue\"}";
		assertThat(after.value(fallbacks.formatted("connect_failure"))
				- before.value(fallbacks.formatted("connect_failure")))
			.isEqualTo(4);
		assertThat(after.value(fallbacks.formatted("breaker_open")) - before.value(fallbacks.formatted("breaker_open")))
			.isEqualTo(6);
		// The move to green was no retry of blue: no backoff, nothing drawn from blue's
		// retry budget.
		assertThat(after
			.value("gateway_retries_total{reason=\"connect_failure\",route=\"flask-api\",upstream=\"flask-api/blue\"}"))
			.isEqualTo(before.value(
					"gateway_retries_total{reason=\"connect_failure\",route=\"flask-api\",upstream=\"flask-api/blue\"}"));
	}

	@Test
	void hangingUpstreamGives504AtTheRouteTimeoutWhileOtherRoutesAreUnaffected() throws Exception {
		// Warm: the pool and its metrics exist, so the measurement is the timeout alone.
		assertThat(post("/rdkit/similarity", SIMILARITY).block(Duration.ofSeconds(5))).isEqualTo("200");
		RDKIT.hang();
		int attempted = RDKIT.count();
		long start = System.nanoTime();
		// The detail names the timeout that fired: the route's 1 s response timeout, not
		// the 3 s request deadline.
		// The lower bound shows the gateway did wait for the upstream. There is no upper
		// bound: a loaded machine may
		// deliver the 504 late, which is no fault of the gateway.
		client().post()
			.uri("/rdkit/calculate-properties")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(PROPERTIES)
			.exchange()
			.expectStatus()
			.isEqualTo(504)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://cryoprotect.io/problems/upstream-timeout")
			.jsonPath("$.detail")
			.isEqualTo("The rdkit service did not answer within 1000 ms.");
		assertThat((System.nanoTime() - start) / 1_000_000).as("ms until 504 for a 1 s timeout")
			.isGreaterThanOrEqualTo(1_000L);
		assertThat(RDKIT.count()).as("one attempt: the hang preset does not retry").isEqualTo(attempted + 1);

		List<Mono<String>> hanging = List.of(post("/rdkit/similarity", SIMILARITY),
				post("/rdkit/similarity", SIMILARITY), post("/rdkit/similarity", SIMILARITY),
				post("/rdkit/similarity", SIMILARITY), post("/rdkit/similarity", SIMILARITY),
				post("/rdkit/similarity", SIMILARITY));
		CompletableFuture<List<String>> all = Flux.merge(hanging).collectList().toFuture();
		// Unaffected means served while RDKit's requests hang: once the pool of 4 is
		// taken the other two wait for it,
		// and the last of the six cannot time out before two response timeouts (2 s) have
		// passed.
		await().atMost(Duration.ofSeconds(10)).until(() -> RDKIT.count() >= attempted + 1 + 4);
		assertThat(upstreamOf("/api/v1/molecules")).isEqualTo("200 flask-blue");
		assertThat(all).as("RDKit's requests still hang while Flask answers").isNotDone();
		assertThat(all.get(10, TimeUnit.SECONDS)).allMatch(status -> status.equals("504"));
		// Pool of 4: at most 4 requests were ever waiting on the upstream at once.
		assertThat(RDKIT.count()).isLessThanOrEqualTo(2 + 4 + 2);
		String metrics = management().get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(metrics).contains("reactor_netty_connection_provider_max_connections{id=")
			.contains("name=\"rdkit/blue\"");
	}

	@Test
	void postWithIdempotencyKeyIsRetriedWithTheByteIdenticalBody() {
		FLASK_BLUE.burst(503, 1, null);
		String body = MIXTURE;
		client().post()
			.uri("/api/v1/mixtures")
			.header("Idempotency-Key", "k-1")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		assertThat(FLASK_BLUE.received()).hasSize(2).allSatisfy(r -> assertThat(new String(r.body())).isEqualTo(body));
	}

	@Test
	void truncatedUpstreamBodyIsNeverPassedOffAsComplete() {
		CONVEX.resetMidBody();
		RawHttp.Response response = RawHttp.send(port,
				"POST /convex/api/query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
						+ "Content-Length: 34\r\nConnection: close\r\n\r\n{\"path\":\"molecules:listMolecules\"}");
		// The promised 1000 bytes are within gateway.edge.response-buffer-size: read
		// whole before anything is sent,
		// so the cut is answered as an upstream failure instead of a 200 with a short
		// body.
		assertThat(response.status()).isEqualTo(502);
		assertThat(response.text()).contains("application/problem+json");
		assertThat(response.closedByServer()).isTrue();
	}

	@Test
	void upstreamClosingIdleConnectionsCausesNoErrors() {
		FLASK_BLUE.up(Duration.ofMillis(300));
		List<Duration> gaps = List.of(Duration.ofMillis(250), Duration.ofMillis(290), Duration.ofMillis(310),
				Duration.ofMillis(330), Duration.ofMillis(280), Duration.ofMillis(305), Duration.ofMillis(320));
		List<String> statuses = Flux.fromIterable(gaps)
			.concatMap(gap -> Mono.delay(gap).then(post("/api/v1/mixtures", MIXTURE)))
			.collectList()
			.block(Duration.ofSeconds(10));
		assertThat(statuses).hasSize(gaps.size()).allMatch(status -> status.equals("200"));
	}

	@Test
	void burstsOf5xxAreRetriedOnlyWithinTheBudget() {
		// A window the burst cannot fill, so the breaker stays closed, and no floor: only
		// the 20% share limits retries.
		apply("", "60s", 10_000, 0);
		FLASK_BLUE.burst(503, 100_000, null);
		int requests = 500;
		try (Traffic traffic = new Traffic(port, 16)) {
			List<Traffic.Outcome> outcomes = traffic.get("/api/v1/molecules", requests, 16);
			assertThat(outcomes).allSatisfy(o -> assertThat(o.status()).isIn(503));
		}
		assertThat(FLASK_BLUE.count()).as("upstream attempts for %d requests", requests)
			.isGreaterThan(requests)
			.isLessThanOrEqualTo((int) (requests * 1.2));
		String metrics = management().get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(metrics)
			.contains("gateway_retries_total{reason=\"status_503\",route=\"flask-api\",upstream=\"flask-api/blue\"}")
			.contains("gateway_retry_budget_exhausted_total{route=\"flask-api\",upstream=\"flask-api/blue\"}");
	}

	private Scrape scrape() {
		return new Scrape(management().get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody());
	}

	private Mono<String> post(String path, String json) {
		return Mono.fromCallable(() -> postStatus(path, json))
			.subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic());
	}

	private String postStatus(String path, String json) throws Exception {
		java.net.http.HttpResponse<Void> response = java.net.http.HttpClient.newHttpClient()
			.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
				.header("Content-Type", "application/json")
				.POST(java.net.http.HttpRequest.BodyPublishers.ofString(json))
				.build(), java.net.http.HttpResponse.BodyHandlers.discarding());
		return Integer.toString(response.statusCode());
	}

}
