package io.cryoprotect.gateway.observability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

import io.cryoprotect.gateway.support.Scrape;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request timer, rejection counter and upstream timing, tagged by route, never by
 * path, user or address.
 */
class RequestMetricsIntegrationTests extends ObservabilityIntegrationTest {

	private static final String OK_SERIES = "{colour=\"blue\",method=\"GET\",outcome=\"success\",route=\"flask-api\","
			+ "status=\"2xx\",upstream=\"flask-api\"}";

	@Test
	void routedRequestIsTimedWithRouteUpstreamColourAndStatusClass() {
		Scrape before = scrape();
		client().get().uri("/api/v1/molecules").exchange().expectStatus().isOk().expectBody().returnResult();
		Scrape after = scrape();
		assertThat(after.value("gateway_requests_seconds_count" + OK_SERIES))
			.isEqualTo(before.value("gateway_requests_seconds_count" + OK_SERIES) + 1);
		assertThat(after.series("gateway_requests_seconds_bucket{colour=\"blue\""))
			.anyMatch(s -> s.contains("le=\"0.005\""))
			.anyMatch(s -> s.contains("le=\"30.0\""));
		assertThat(after.value("gateway_upstream_first_byte_seconds_count{upstream=\"flask-api/blue\"}"))
			.isGreaterThan(before.value("gateway_upstream_first_byte_seconds_count{upstream=\"flask-api/blue\"}"));
	}

	@Test
	void unknownPathIsTimedAsRejectedNoRoute() {
		Scrape before = scrape();
		client().get().uri("/nowhere/42").exchange().expectStatus().isNotFound().expectBody().returnResult();
		Scrape after = scrape();
		String series = "gateway_requests_seconds_count{colour=\"none\",method=\"GET\",outcome=\"rejected\",route=\"none\","
				+ "status=\"4xx\",upstream=\"none\"}";
		assertThat(after.value(series)).isEqualTo(before.value(series) + 1);
		String rejected = "gateway_rejections_total{cause=\"no_route\",route=\"none\"}";
		assertThat(after.value(rejected)).isEqualTo(before.value(rejected) + 1);
	}

	@Test
	void edgeRejectionIsTimedAndCountedAsEdgeLimit() {
		Scrape before = scrape();
		client().get()
			.uri("/api/v1/molecules?q=" + "x".repeat(3000))
			.exchange()
			.expectStatus()
			.isEqualTo(414)
			.expectBody()
			.returnResult();
		Scrape after = scrape();
		String rejected = "gateway_rejections_total{cause=\"edge_limit\",route=\"none\"}";
		assertThat(after.value(rejected)).isEqualTo(before.value(rejected) + 1);
	}

	@Test
	void upstreamServerErrorIsTimedAsServerError() {
		FLASK_BLUE.burst(500, 1, null);
		Scrape before = scrape();
		client().get().uri("/api/v1/molecules").exchange().expectStatus().isEqualTo(500).expectBody().returnResult();
		String series = "gateway_requests_seconds_count{colour=\"blue\",method=\"GET\",outcome=\"server_error\","
				+ "route=\"flask-api\",status=\"5xx\",upstream=\"flask-api\"}";
		assertThat(scrape().value(series)).isEqualTo(before.value(series) + 1);
	}

	@Test
	void breakerRejectionIsCountedAsBreakerAndGrouped() {
		// Ten failures fill the breaker's minimum number of calls at a 100% failure rate:
		// it opens.
		FLASK_BLUE.burst(500, 10, null);
		for (int i = 0; i < 10; i++) {
			client().get()
				.uri("/api/v1/molecules")
				.exchange()
				.expectStatus()
				.isEqualTo(500)
				.expectBody()
				.returnResult();
		}
		Scrape before = scrape();
		client().get()
			.uri("/api/v1/molecules")
			.header("X-Request-Id", "breaker-open")
			.exchange()
			.expectStatus()
			.isEqualTo(503)
			.expectBody()
			.returnResult();
		Scrape after = scrape();
		String rejected = "gateway_rejections_total{cause=\"breaker\",route=\"flask-api\"}";
		assertThat(after.value(rejected)).isEqualTo(before.value(rejected) + 1);
		String series = "gateway_requests_seconds_count{colour=\"blue\",method=\"GET\",outcome=\"rejected\","
				+ "route=\"flask-api\",status=\"5xx\",upstream=\"flask-api\"}";
		assertThat(after.value(series)).isEqualTo(before.value(series) + 1);
		management().get()
			.uri("/actuator/gatewayerrors")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.groups[?(@.cause == 'upstream_unavailable')].recentRequestIds[*]")
			.value(ids -> assertThat(ids.toString()).contains("breaker-open"));
	}

	@Test
	void seriesCountDoesNotGrowWithDistinctPathsUsersOrQueries() {
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		long failedFew = send(http, 0, 500);
		Set<String> afterFew = ownSeries(scrape());
		long failedMany = send(http, 500, 10_000);
		Set<String> afterMany = ownSeries(scrape());
		// A failed request may add one status/outcome combination; what must not appear
		// is a series per request.
		assertThat(withoutOutcome(afterMany)).isEqualTo(withoutOutcome(afterFew));
		assertThat(afterMany.size()).isLessThanOrEqualTo(afterFew.size() + 2 * RequestMetrics.SLO.length + 10);
		assertThat(failedFew + failedMany).isLessThan(10);
		assertThat(String.join("\n", afterMany)).doesNotContain("user-")
			.doesNotContain("token-")
			.doesNotContain("/molecules/")
			.doesNotContain("/unknown/");
	}

	/** The gateway's own series. */
	private static Set<String> ownSeries(Scrape scrape) {
		return new TreeSet<>(scrape.series("gateway_"));
	}

	/**
	 * Series with the status and outcome labels dropped: what is left is route, upstream,
	 * colour, method, cause, le.
	 */
	private static Set<String> withoutOutcome(Set<String> series) {
		Set<String> out = new TreeSet<>();
		for (String s : series) {
			out.add(s.replaceAll("(outcome|status)=\"[^\"]*\",?", ""));
		}
		return out;
	}

	/**
	 * Requests {@code from} to {@code to}, routed and unrouted, each with its own path,
	 * query, user and token; returns failures.
	 */
	private long send(HttpClient http, int from, int to) {
		return Flux.range(from, to - from)
			.flatMap(i -> Mono
				.fromFuture(() -> http.sendAsync(HttpRequest
					.newBuilder(URI.create("http://127.0.0.1:" + port
							+ (i % 2 == 0 ? "/api/v1/molecules/" : "/unknown/") + i + "?q=" + i))
					.header("X-User-Id", "user-" + i)
					.header("Authorization", "Bearer token-" + i)
					.timeout(Duration.ofSeconds(10))
					.build(), HttpResponse.BodyHandlers.discarding()))
				.map(response -> 0L)
				.onErrorResume(error -> Mono.just(1L)), 8)
			.reduce(0L, Long::sum)
			.block(Duration.ofMinutes(3));
	}

	private Scrape scrape() {
		return new Scrape(management().get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody());
	}

}
