package io.cryoprotect.gateway.resilience;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import io.cryoprotect.gateway.support.RawHttp;
import io.cryoprotect.gateway.support.Scrape;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The memory budget of request bodies held for retry, with the shared gateway's budget of
 * 80 KB (81,920 bytes) and edge body cap of 64 KB, on the shipped policies: PUT on
 * flask-api is retried once. A held body counts from before it is read until its exchange
 * ends (answered, failed or abandoned by the client); a body that does not fit is
 * streamed once and never retried.
 */
class RetryBufferIntegrationTests extends GatewayIntegrationTest {

	private static final String HELD = "gateway_retry_buffer_bytes";

	private static final String OVERFLOWS = "gateway_retry_buffer_overflows_total{route=\"flask-api\"}";

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@Test
	void concurrentBodiesBeyondTheBudgetStreamUncachedAndAreAllAnswered() {
		double overflowsBefore = scrape().value(OVERFLOWS);
		FLASK_BLUE.holdResponses();
		List<byte[]> bodies = IntStream.range(0, 8).mapToObj(i -> body(30_000, i)).toList();
		List<CompletableFuture<HttpResponse<String>>> answers = IntStream.range(0, bodies.size())
			.mapToObj(i -> put("/api/v1/molecules/m-" + i, bodies.get(i)))
			.toList();

		// Every request reached the upstream and waits for its answer: two bodies of
		// 30,000 bytes fit in
		// 81,920, a third would not, so six streamed through uncached.
		await().until(() -> FLASK_BLUE.count() == bodies.size());
		Scrape during = scrape();
		assertThat(during.value(HELD)).isEqualTo(60_000);
		assertThat(during.value("gateway_retry_buffer_max_bytes")).isEqualTo(81_920);
		assertThat(during.value(OVERFLOWS) - overflowsBefore).isEqualTo(6);

		FLASK_BLUE.release();
		assertThat(answers).allSatisfy(answer -> assertThat(answer.join().statusCode()).isEqualTo(200));
		for (int i = 0; i < bodies.size(); i++) {
			String uri = "/api/v1/molecules/m-" + i;
			byte[] sent = bodies.get(i);
			assertThat(FLASK_BLUE.received()).filteredOn(r -> r.uri().equals(uri))
				.singleElement()
				.satisfies(r -> assertThat(r.body()).isEqualTo(sent));
		}
		await().until(() -> scrape().value(HELD) == 0);
	}

	@Test
	void aBodyTheBudgetHasNoRoomForIsSentOnceAndNotRetried() {
		double overflowsBefore = scrape().value(OVERFLOWS);
		FLASK_BLUE.holdResponses();
		CompletableFuture<HttpResponse<String>> first = put("/api/v1/molecules/held", body(60_000, 1));
		await().until(() -> FLASK_BLUE.count() == 1);
		assertThat(scrape().value(HELD)).isEqualTo(60_000);

		// 60,000 + 30,000 bytes exceed the budget: the second body is streamed, and its
		// 503 is final.
		FLASK_BLUE.burst(503, 1, null);
		byte[] second = body(30_000, 2);
		assertThat(put("/api/v1/molecules/streamed", second).join().statusCode()).isEqualTo(503);
		assertThat(FLASK_BLUE.received()).filteredOn(r -> r.uri().equals("/api/v1/molecules/streamed"))
			.singleElement()
			.satisfies(r -> assertThat(r.body()).isEqualTo(second));
		assertThat(scrape().value(OVERFLOWS) - overflowsBefore).isEqualTo(1);

		FLASK_BLUE.release();
		assertThat(first.join().statusCode()).isEqualTo(200);
		await().until(() -> scrape().value(HELD) == 0);
	}

	@Test
	void aBodyWithinTheBudgetIsRetriedByteIdentical() {
		FLASK_BLUE.burst(503, 1, null);
		byte[] body = body(60_000, 3);
		assertThat(put("/api/v1/molecules/retried", body).join().statusCode()).isEqualTo(200);
		assertThat(FLASK_BLUE.received()).hasSize(2).allSatisfy(r -> assertThat(r.body()).isEqualTo(body));
		await().until(() -> scrape().value(HELD) == 0);
	}

	@Test
	void aChunkedBodyReservesTheEdgeCapWhileReadAndIsRetriedByteIdentical() {
		double overflowsBefore = scrape().value(OVERFLOWS);
		FLASK_BLUE.burst(503, 1, null);
		String chunk = "x".repeat(1000);
		RawHttp.Response response = RawHttp.send(port, "PUT /api/v1/molecules/chunked HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				+ "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
				+ "3e8\r\n" + chunk + "\r\n3e8\r\n" + chunk + "\r\n0\r\n\r\n");
		assertThat(response.status()).isEqualTo(200);
		assertThat(FLASK_BLUE.received()).hasSize(2)
			.allSatisfy(r -> assertThat(new String(r.body())).isEqualTo(chunk + chunk));
		assertThat(scrape().value(OVERFLOWS)).isEqualTo(overflowsBefore);
		await().until(() -> scrape().value(HELD) == 0);
	}

	@Test
	void aClientThatHangsUpMidBodyGivesItsReservationBack() {
		try (RawHttp.KeptAlive connection = RawHttp.connect(port)) {
			connection.write("PUT /api/v1/molecules/abandoned HTTP/1.1\r\nHost: 127.0.0.1\r\n"
					+ "Content-Type: application/octet-stream\r\nContent-Length: 30000\r\n\r\n" + "x".repeat(1000));
			// Reserved by Content-Length before the first byte is read.
			await().until(() -> scrape().value(HELD) == 30_000);
		}
		await().until(() -> scrape().value(HELD) == 0);
		assertThat(FLASK_BLUE.count()).isZero();
	}

	@Test
	void aClientThatHangsUpWhileTheUpstreamAnswersGivesItsReservationBack() {
		FLASK_BLUE.holdResponses();
		try (RawHttp.KeptAlive connection = RawHttp.connect(port)) {
			connection.write("PUT /api/v1/molecules/left HTTP/1.1\r\nHost: 127.0.0.1\r\n"
					+ "Content-Type: application/octet-stream\r\nContent-Length: 30000\r\n\r\n" + "x".repeat(30_000));
			await().until(() -> FLASK_BLUE.count() == 1);
			assertThat(scrape().value(HELD)).isEqualTo(30_000);
		}
		await().until(() -> scrape().value(HELD) == 0);
	}

	private CompletableFuture<HttpResponse<String>> put(String path, byte[] body) {
		return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.header("Content-Type", "application/octet-stream")
			.PUT(HttpRequest.BodyPublishers.ofByteArray(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** {@code size} bytes, distinct per {@code seed}, so a mixed-up body shows. */
	private static byte[] body(int size, int seed) {
		byte[] bytes = new byte[size];
		Arrays.fill(bytes, (byte) ('a' + seed));
		return bytes;
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
