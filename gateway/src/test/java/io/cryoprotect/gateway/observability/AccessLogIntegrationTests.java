package io.cryoprotect.gateway.observability;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One JSON access line per request, with retries, the problem answers, and a hashed
 * client key.
 */
class AccessLogIntegrationTests extends ObservabilityIntegrationTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

	@Test
	void routedRequestIsLoggedWithEveryField() {
		try (LogCapture log = new LogCapture(AccessLog.LOGGER)) {
			client().get()
				.uri("/api/v1/molecules")
				.header("X-Request-Id", "access-ok")
				.header("traceparent", TRACEPARENT)
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.returnResult();
			JsonNode line = lineOf(log, "access-ok");
			assertThat(line.propertyNames()).containsExactly("time", "requestId", "traceparent", "method", "route",
					"upstream", "colour", "status", "bytes", "durationMs", "retries", "rateLimit", "validation",
					"clientKey");
			assertThat(line.get("traceparent").asString()).isEqualTo(TRACEPARENT);
			assertThat(line.get("method").asString()).isEqualTo("GET");
			assertThat(line.get("route").asString()).isEqualTo("flask-api");
			assertThat(line.get("upstream").asString()).isEqualTo("flask-api");
			assertThat(line.get("colour").asString()).isEqualTo("blue");
			assertThat(line.get("status").asInt()).isEqualTo(200);
			assertThat(line.get("bytes").asLong()).isPositive();
			assertThat(line.get("retries").asInt()).isZero();
			// The shared test gateway runs the shipped limits in shadow mode.
			assertThat(line.get("rateLimit").asString()).isIn("allowed", "shadow_limited");
			assertThat(line.get("clientKey").asString()).matches("[0-9a-f]{16}");
			assertThat(line.toString()).doesNotContain("127.0.0.1");
		}
	}

	@Test
	void retriesAreCountedPerRequest() {
		FLASK_BLUE.burst(503, 2, null);
		try (LogCapture log = new LogCapture(AccessLog.LOGGER)) {
			client().get()
				.uri("/api/v1/molecules")
				.header("X-Request-Id", "access-retried")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.returnResult();
			JsonNode line = lineOf(log, "access-retried");
			assertThat(line.get("retries").asInt()).isEqualTo(2);
			assertThat(line.get("status").asInt()).isEqualTo(200);
		}
	}

	@Test
	void problemAnswerIsLoggedWithItsStatusAndSize() {
		try (LogCapture log = new LogCapture(AccessLog.LOGGER)) {
			long length = client().get()
				.uri("/nowhere")
				.header("X-Request-Id", "access-404")
				.exchange()
				.expectStatus()
				.isNotFound()
				.expectBody()
				.returnResult()
				.getResponseHeaders()
				.getContentLength();
			JsonNode line = lineOf(log, "access-404");
			assertThat(line.get("status").asInt()).isEqualTo(404);
			assertThat(line.get("route").asString()).isEqualTo("none");
			assertThat(line.get("bytes").asLong()).isEqualTo(length).isPositive();
		}
	}

	/**
	 * A client that hangs up while the upstream is still working gets nginx's 499: logged
	 * at debug, not as a gateway failure, and not an error group, whether the gateway
	 * notices on cancel or on its write. The upstream answers 500 ms after the client has
	 * gone, long after the gateway has read its close.
	 */
	@Test
	void clientThatGoesAwayBeforeTheAnswerIsLogged499NotAnError() throws Exception {
		FLASK_BLUE.slow(Duration.ofMillis(500));
		try (LogCapture log = new LogCapture(AccessLog.LOGGER);
				LogCapture errors = new LogCapture("io.cryoprotect.gateway.errors.ProblemExceptionHandler")) {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", port));
				OutputStream out = socket.getOutputStream();
				out.write(("GET /api/v1/molecules HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: access-gone\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
				out.flush();
				await().atMost(Duration.ofSeconds(5))
					.until(() -> FLASK_BLUE.received()
						.stream()
						.anyMatch(r -> "access-gone".equals(r.headers().get("X-Request-Id"))));
			}
			JsonNode line = lineOf(log, "access-gone");
			assertThat(line.get("status").asInt()).isEqualTo(499);
			assertThat(errors.messages()).noneMatch(message -> message.contains("access-gone"));
		}
		String groups = management().get()
			.uri("/actuator/gatewayerrors")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(groups).doesNotContain("access-gone");
	}

	@Test
	void clientKeyIsStablePerAddressAndSalted() {
		AccessLog one = new AccessLog(new ObservabilityProperties.AccessLog(true, 1.0, "salt-a"));
		AccessLog other = new AccessLog(new ObservabilityProperties.AccessLog(true, 1.0, "salt-b"));
		assertThat(one.clientKey("10.0.0.1")).isEqualTo(one.clientKey("10.0.0.1"))
			.isNotEqualTo(one.clientKey("10.0.0.2"))
			.isNotEqualTo(other.clientKey("10.0.0.1"));
	}

	@Test
	void sampledOutRequestsAreSkippedButServerErrorsNever() {
		AccessLog none = new AccessLog(new ObservabilityProperties.AccessLog(true, 0.0, null));
		assertThat(none.wants(200)).isFalse();
		assertThat(none.wants(503)).isTrue();
		AccessLog off = new AccessLog(new ObservabilityProperties.AccessLog(false, 1.0, null));
		assertThat(off.wants(503)).isFalse();
	}

	/**
	 * The line is written when the exchange ends, which may be just after the client has
	 * its answer.
	 */
	@Test
	void validationVerdictIsLogged() {
		try (LogCapture log = new LogCapture(AccessLog.LOGGER)) {
			client().post()
				.uri("/convex/api/query")
				.header("X-Request-Id", "access-valid")
				.contentType(org.springframework.http.MediaType.APPLICATION_JSON)
				.bodyValue("{\"path\":\"molecules:listMolecules\",\"args\":{},\"format\":\"json\"}")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.returnResult();
			client().post()
				.uri("/convex/api/query")
				.header("X-Request-Id", "access-invalid")
				.contentType(org.springframework.http.MediaType.APPLICATION_JSON)
				.bodyValue("{\"path\":\"no function\",\"args\":{}}")
				.exchange()
				.expectStatus()
				.isBadRequest()
				.expectBody()
				.returnResult();
			assertThat(lineOf(log, "access-valid").get("validation").asString()).isEqualTo("passed");
			assertThat(lineOf(log, "access-invalid").get("validation").asString()).isEqualTo("failed");
			assertThat(lineOf(log, "access-invalid").get("status").asInt()).isEqualTo(400);
		}
	}

	private static JsonNode lineOf(LogCapture log, String requestId) {
		String[] found = new String[1];
		await().atMost(Duration.ofSeconds(5)).until(() -> {
			for (String message : log.messages()) {
				if (message.contains("\"requestId\":\"" + requestId + "\"")) {
					found[0] = message;
					return true;
				}
			}
			return false;
		});
		return JSON.readTree(found[0]);
	}

}
