package io.cryoprotect.gateway.edge;

import java.time.Duration;

import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import io.cryoprotect.gateway.support.RawHttp;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile or oversized requests are answered at the edge, before routing, in the error
 * shape of the route their path belongs to (Flask's JSON on Flask paths, problem+json
 * where no route's path matches), and never reach an upstream (docs/reliability.md H1,
 * H2, H4, H6, H7). This context caps headers at 8 KB and 40 lines, URLs at 2048
 * characters and bodies at 64 KB.
 */
class EdgeLimitsIntegrationTests extends GatewayIntegrationTest {

	@Autowired
	private MeterRegistry meters;

	@Test
	void oversizedHeaderIs431() {
		client().get()
			.uri("/api/v1/molecules")
			.header("X-Big", "x".repeat(9_000))
			.exchange()
			.expectStatus()
			.isEqualTo(431)
			.expectHeader()
			.contentType(MediaType.APPLICATION_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://cryoprotect.io/problems/headers-too-large")
			.jsonPath("$.status")
			.isEqualTo("error")
			.jsonPath("$.code")
			.isEqualTo(431)
			.jsonPath("$.requestId")
			.isNotEmpty();
		assertThat(FLASK_BLUE.count()).isZero();
	}

	@Test
	void tooManyHeadersIs431() {
		client().get().uri("/api/v1/molecules").headers(h -> {
			for (int i = 0; i < 45; i++) {
				h.add("X-H" + i, "v");
			}
		})
			.exchange()
			.expectStatus()
			.isEqualTo(431)
			.expectBody()
			.jsonPath("$.detail")
			.value(detail -> assertThat(detail.toString()).contains("the limit is 40"));
		assertThat(FLASK_BLUE.count()).isZero();
	}

	@Test
	void overlongUrlIs414() {
		client().get()
			.uri("/api/v1/molecules?q=" + "a".repeat(3_000))
			.exchange()
			.expectStatus()
			.isEqualTo(414)
			.expectHeader()
			.contentType(MediaType.APPLICATION_JSON)
			.expectBody()
			.returnResult();
		assertThat(FLASK_BLUE.count()).isZero();
	}

	@Test
	void bodyOverTheCapByContentLengthIs413WithoutTouchingTheUpstream() {
		client().post()
			.uri("/api/v1/mixtures")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"" + "x".repeat(70_000) + "\"}")
			.exchange()
			.expectStatus()
			.isEqualTo(413)
			.expectHeader()
			.contentType(MediaType.APPLICATION_JSON)
			.expectBody()
			.returnResult();
		assertThat(FLASK_BLUE.count()).isZero();
		assertThat(FLASK_BLUE.bodyBytesTotal()).isZero();
	}

	@Test
	void chunkedBodyOverTheCapIs413AndTheUpstreamGetsNothingBeyondTheCap() {
		byte[] chunk = new byte[8 * 1024];
		var response = HttpClient.create()
			.post()
			.uri("http://127.0.0.1:" + port + "/api/v1/mixtures")
			.send(Flux.range(0, 40).map(i -> Unpooled.wrappedBuffer(chunk)))
			.responseSingle(
					(res, body) -> body.asString().defaultIfEmpty("").map(text -> res.status().code() + " " + text))
			.block(Duration.ofSeconds(10));
		assertThat(response).startsWith("413 ").contains("payload-too-large");
		assertThat(FLASK_BLUE.bodyBytesTotal()).isLessThanOrEqualTo(64 * 1024);
	}

	@ParameterizedTest
	@ValueSource(strings = { "/api/v1/../admin", "/api/v1/%2e%2e/admin", "/api/v1/.%2E/admin", "/api/v1/a%2Fb",
			"/api/v1/a%2fb", "/api/v1/a%5Cb", "/api/v1/a\\b", "/api/v1/a%00b", "/api/v1/molecules;jsessionid=1",
			"/api/v1/%C3%28", "/api/v1/%E2%82", "/api/v1/%zz", "/api/v1/./molecules" })
	void unsafePathIsRejectedWithoutReachingTheUpstream(String target) {
		RawHttp.Response response = RawHttp.get(port, target);
		assertThat(response.status()).isEqualTo(400);
		assertThat(FLASK_BLUE.count()).isZero();
	}

	/**
	 * The path belongs to no route (it matches none of their patterns): the default
	 * shape, problem+json.
	 */
	@Test
	void unsafePathAnswerIsProblemJson() {
		RawHttp.Response response = RawHttp.get(port, "/rdkit/..%2F..%2Fapi/v1/molecules");
		assertThat(response.status()).isEqualTo(400);
		assertThat(response.text()).contains("Content-Type: application/problem+json");
		assertThat(response.body()).contains("\"type\":\"https://cryoprotect.io/problems/bad-request\"");
	}

	@Test
	void encodedUnicodePathIsAccepted() {
		RawHttp.Response response = RawHttp.get(port, "/api/v1/molecules/%C3%A9thanol");
		assertThat(response.status()).isEqualTo(200);
		assertThat(FLASK_BLUE.last().uri()).isEqualTo("/api/v1/molecules/%C3%A9thanol");
	}

	@Test
	void underscoreHeaderNameIsRejected() {
		RawHttp.Response response = RawHttp.get(port, "/api/v1/molecules", "X_User_Id: admin");
		assertThat(response.status()).isEqualTo(400);
		assertThat(FLASK_BLUE.count()).isZero();
	}

	@Test
	void crlfInjectedIntoAHeaderValueCannotSplitHeaders() {
		RawHttp.Response response = RawHttp.send(port,
				"GET /api/v1/molecules HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Note: a\rX-Injected: yes\r\nConnection: close\r\n\r\n");
		assertThat(response.status()).isEqualTo(400);
		assertThat(FLASK_BLUE.received()).noneMatch(r -> r.headers().contains("X-Injected"));
	}

	/**
	 * RFC 9112 section 3.2: an HTTP/1.1 request without Host, or with two, is answered
	 * 400 with an error body in the route's shape (Flask's, on this path) and the
	 * connection closed, and is never forwarded. HTTP/1.0 may leave it out.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "", "Host: 127.0.0.1\r\nHost: evil.example\r\n" })
	void aRequestWithoutOneHostIs400AndClosed(String hostLines) {
		RawHttp.Response response = RawHttp.send(port, "GET /api/v1/molecules HTTP/1.1\r\n" + hostLines + "\r\n");
		assertThat(response.status()).isEqualTo(400);
		assertThat(response.text().toLowerCase(java.util.Locale.ROOT)).contains("\r\nconnection: close\r\n")
			.contains("\r\ncontent-type: application/json");
		assertThat(response.body()).contains("\"status\":\"error\"")
			.contains("\"code\":400")
			.contains("\"type\":\"https://cryoprotect.io/problems/bad-request\"")
			.contains("Host");
		assertThat(response.closedByServer()).isTrue();
		assertThat(FLASK_BLUE.count()).isZero();
	}

	/**
	 * A Host that is not a host[:port] is refused below the HTTP codec, before Reactor
	 * Netty parses it (some, such as a second port or an unclosed IPv6 bracket, it cannot
	 * parse at all, and answers those with an empty 400 and a WARN per connection): a 400
	 * problem body, closed, counted as a malformed request, nothing forwarded.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "Host: exa mple.com\r\n", "Host: a/b\r\n", "Host: \r\n", "Host: 127.0.0.1:123456\r\n",
			"Host: 127.0.0.1:80:80\r\n", "Host: [::1\r\n", "Host: 127.0.0.1\r\nHost: [::1\r\n" })
	void aHostThatIsNotAHostAndPortIs400AndClosed(String hostLines) {
		double before = clientErrors("malformed_request");
		RawHttp.Response response = RawHttp.send(port, "GET /api/v1/molecules HTTP/1.1\r\n" + hostLines + "\r\n");
		assertThat(response.status()).isEqualTo(400);
		assertThat(response.text().toLowerCase(java.util.Locale.ROOT)).contains("\r\nconnection: close\r\n")
			.contains("\r\ncontent-type: application/problem+json");
		assertThat(response.body()).contains("\"type\":\"https://cryoprotect.io/problems/bad-request\"")
			.contains("Host header is not a valid host[:port]");
		assertThat(response.closedByServer()).isTrue();
		assertThat(clientErrors("malformed_request")).isEqualTo(before + 1);
		assertThat(FLASK_BLUE.count()).isZero();
	}

	/**
	 * Nothing pipelined behind a refused head runs: the connection closes after the 400.
	 */
	@Test
	void aRequestPipelinedBehindABadHostIsNeverForwarded() {
		RawHttp.Response response = RawHttp.send(port, "GET /api/v1/molecules HTTP/1.1\r\nHost: 127.0.0.1:80:80\r\n\r\n"
				+ "GET /api/v1/molecules?behind HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
		assertThat(response.status()).isEqualTo(400);
		assertThat(response.closedByServer()).isTrue();
		assertThat(response.text()).doesNotContain("HTTP/1.1 200");
		assertThat(FLASK_BLUE.count()).isZero();
	}

	@ParameterizedTest
	@ValueSource(strings = { "GET /api/v1/molecules HTTP/1.0\r\n\r\n",
			"GET /api/v1/molecules HTTP/1.1\r\nHost: [::1]:8080\r\nConnection: close\r\n\r\n",
			"GET /api/v1/molecules HTTP/1.1\r\nHost: gw.example-1.com\r\nConnection: close\r\n\r\n" })
	void validHostsAndHttp10WithoutOneAreServed(String request) {
		assertThat(RawHttp.send(port, request).status()).isEqualTo(200);
	}

	private double clientErrors(String reason) {
		return meters.find("gateway.client.errors")
			.tag("reason", reason)
			.counters()
			.stream()
			.mapToDouble(counter -> counter.count())
			.sum();
	}

}
