package io.cryoprotect.gateway.routing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import io.cryoprotect.gateway.support.RawHttp;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The upstream's answer reaches the client as the upstream sent it: status (204, 206, an
 * HTML 404, Convex's 560), body, {@code Content-Type}, every {@code Set-Cookie},
 * Flask-Limiter's {@code X-RateLimit-*}; and the client's query string reaches the
 * upstream byte for byte. Read and written as raw bytes where the wire matters.
 */
class PassThroughIntegrationTests extends GatewayIntegrationTest {

	private static final String CONVEX_CALL = "{\"path\":\"molecules:createMolecule\",\"args\":{\"name\":\"x\"},\"format\":\"json\"}";

	@Autowired
	private List<ConfigReloader<?>> reloaders;

	private static String post(String target, String body, String... extraHeaders) {
		StringBuilder request = new StringBuilder("POST ").append(target)
			.append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ")
			.append(body.getBytes(StandardCharsets.UTF_8).length)
			.append("\r\n");
		for (String header : extraHeaders) {
			request.append(header).append("\r\n");
		}
		return request.append("Connection: close\r\n\r\n").append(body).toString();
	}

	/** The response's header lines, as sent, lower-cased names kept as they came. */
	private static List<String> headerLines(RawHttp.Response response) {
		String head = response.text().substring(0, response.text().indexOf("\r\n\r\n"));
		return Arrays.asList(head.split("\r\n")).subList(1, head.split("\r\n").length);
	}

	private static List<String> header(RawHttp.Response response, String name) {
		String prefix = name.toLowerCase(Locale.ROOT) + ":";
		return headerLines(response).stream()
			.filter(line -> line.toLowerCase(Locale.ROOT).startsWith(prefix))
			.map(line -> line.substring(prefix.length()).trim())
			.toList();
	}

	@Test
	void noContentArrivesWithoutABody() {
		FLASK_BLUE.answer(204, "", "X-Upstream", "flask-blue");
		RawHttp.Response response = RawHttp.get(port, "/api/v1/mixtures/m-1/experiments");
		assertThat(response.status()).isEqualTo(204);
		assertThat(response.body()).isEmpty();
		assertThat(header(response, "Transfer-Encoding")).isEmpty();
		assertThat(header(response, "Content-Length")).allMatch("0"::equals);
		assertThat(header(response, "X-Upstream")).containsExactly("flask-blue");
	}

	@Test
	void partialContentArrivesWithItsRangeAndExactBytes() {
		FLASK_BLUE.answer(206, "CCO\nO", "Content-Type", "chemical/x-daylight-smiles", "Content-Range", "bytes 0-4/120",
				"Content-Length", "5", "Accept-Ranges", "bytes");
		RawHttp.Response response = RawHttp.get(port, "/api/v1/molecules/export", "Range: bytes=0-4");
		assertThat(response.status()).isEqualTo(206);
		assertThat(header(response, "Content-Range")).containsExactly("bytes 0-4/120");
		assertThat(header(response, "Content-Type")).containsExactly("chemical/x-daylight-smiles");
		assertThat(response.body()).isEqualTo("CCO\nO");
		assertThat(FLASK_BLUE.last().headers().get("Range")).isEqualTo("bytes=0-4");
	}

	@Test
	void anUpstreamsHtmlNotFoundIsNotReshaped() {
		String html = "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
				+ "<p>The requested URL was not found on the server.</p>\n";
		RDKIT.answer(404, html, "Content-Type", "text/html; charset=utf-8", "Content-Length",
				Integer.toString(html.length()));
		RawHttp.Response response = RawHttp.send(port, post("/rdkit/no-such-operation", "{\"molecule_data\":\"CCO\"}"));
		assertThat(response.status()).isEqualTo(404);
		assertThat(header(response, "Content-Type")).containsExactly("text/html; charset=utf-8");
		assertThat(response.body()).isEqualTo(html);
		assertThat(RDKIT.last().uri()).isEqualTo("/api/no-such-operation");
	}

	@Test
	void convexs560IsAnAnswerNeitherRetriedNorABreakerFailure() {
		String error = "{\"status\":\"error\",\"errorMessage\":\"Uncaught Error: molecule exists\"}";
		CONVEX.answer(560, error, "Content-Type", "application/json", "Content-Length",
				Integer.toString(error.length()));
		// More than the breaker's minimum number of calls, all with an Idempotency-Key,
		// which makes a POST retryable.
		int calls = 25;
		for (int i = 0; i < calls; i++) {
			RawHttp.Response response = RawHttp.send(port,
					post("/convex/api/mutation", CONVEX_CALL, "Idempotency-Key: create-" + i));
			assertThat(response.status()).isEqualTo(560);
			assertThat(header(response, "Content-Type")).containsExactly("application/json");
			assertThat(response.body()).isEqualTo(error);
		}
		assertThat(CONVEX.count()).as("one upstream call per request: no retry").isEqualTo(calls);
		management().get()
			.uri("/actuator/gatewayupstreams")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.breakers['convex/blue']")
			.isEqualTo("CLOSED");
	}

	@Test
	void everySetCookieArrivesAsItsOwnHeaderWithItsAttributes() {
		List<String> cookies = List.of(
				"access_token=eyJhbGciOiJIUzI1NiJ9.e30.c2ln; Path=/; HttpOnly; Secure; SameSite=Lax",
				"refresh_token=r-1; Path=/auth; Max-Age=604800; HttpOnly; Secure; SameSite=Strict",
				"csrf_token=t-1; Path=/; Secure; SameSite=Strict",
				"session=s-1; Expires=Wed, 09 Jun 2027 10:18:14 GMT; Path=/; HttpOnly; Secure");
		String body = "{\"message\":\"Login successful\",\"user\":{\"id\":\"u-1\"}}";
		FLASK_BLUE.answer(200, body, "Content-Type", "application/json", "Set-Cookie", cookies.get(0), "Set-Cookie",
				cookies.get(1), "Set-Cookie", cookies.get(2), "Set-Cookie", cookies.get(3));
		RawHttp.Response response = RawHttp.send(port,
				post("/auth/login", "{\"email\":\"chemist@cryoprotect.io\",\"password\":\"pw\"}"));
		assertThat(response.status()).isEqualTo(200);
		assertThat(header(response, "Set-Cookie")).containsExactlyElementsOf(cookies);
		assertThat(response.body()).isEqualTo(body);
	}

	@Test
	void flaskLimitersHeadersAndItsOwn429PassUnchangedNextToTheGatewaysOwn() {
		ConfigReloader<?> rateLimits = reloaders.stream()
			.filter(r -> r.name().equals("ratelimits"))
			.findFirst()
			.orElseThrow();
		long rejected = rateLimits.rejectedCount();
		FILTERS.swap("ratelimits.yml", """
				mode: enforce
				limits:
				  pass-through-probe:
				    key: caller
				    rates: [1000/min]
				    match:
				      routes: [flask-api]
				""");
		rateLimits.reloadNow();
		assertThat(rateLimits.rejectedCount()).as("test limits must load").isEqualTo(rejected);
		FLASK_BLUE.answer(200, "[]", "Content-Type", "application/json", "X-RateLimit-Limit", "50",
				"X-RateLimit-Remaining", "49", "X-RateLimit-Reset", "1767225600");
		RawHttp.Response allowed = RawHttp.get(port, "/api/v1/molecules");
		assertThat(allowed.status()).isEqualTo(200);
		assertThat(header(allowed, "X-RateLimit-Limit")).containsExactly("50");
		assertThat(header(allowed, "X-RateLimit-Remaining")).containsExactly("49");
		assertThat(header(allowed, "X-RateLimit-Reset")).containsExactly("1767225600");
		assertThat(header(allowed, "RateLimit-Policy")).containsExactly("\"pass-through-probe/1m\";q=1000;w=60");
		assertThat(header(allowed, "RateLimit")).singleElement().asString().startsWith("\"pass-through-probe/1m\";r=");

		String tooMany = "{\"status\":\"error\",\"message\":\"50 per 1 minute\"}";
		FLASK_BLUE.answer(429, tooMany, "Content-Type", "application/json", "Retry-After", "42", "X-RateLimit-Limit",
				"50", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "1767225642");
		RawHttp.Response limited = RawHttp.get(port, "/api/v1/molecules");
		assertThat(limited.status()).isEqualTo(429);
		assertThat(limited.body()).isEqualTo(tooMany);
		assertThat(header(limited, "Retry-After")).containsExactly("42");
		assertThat(header(limited, "X-RateLimit-Remaining")).containsExactly("0");
		assertThat(header(limited, "X-RateLimit-Reset")).containsExactly("1767225642");
		assertThat(FLASK_BLUE.count()).as("Flask's 429 is its answer, not retried").isEqualTo(2);
	}

	@Test
	void queryStringsReachTheUpstreamByteForByte() {
		String query = "?q=glycerol%20ether&f=%28CCO%29&p=a+b&plus=%2B&u=%C3%A9&empty=&flag&list=1&list=2";
		assertThat(RawHttp.get(port, "/api/v1/molecules" + query).status()).isEqualTo(200);
		assertThat(FLASK_BLUE.last().uri()).isEqualTo("/api/v1/molecules" + query);
		String smiles = "{\"molecule_data\":\"OCC(O)CO\",\"input_format\":\"smiles\"}";
		assertThat(RawHttp.send(port, post("/rdkit/calculate-properties" + query, smiles)).status()).isEqualTo(200);
		assertThat(RDKIT.last().uri()).isEqualTo("/api/calculate-properties" + query);
		assertThat(RawHttp.send(port, post("/convex/api/query" + query, CONVEX_CALL)).status()).isEqualTo(200);
		assertThat(CONVEX.last().uri()).isEqualTo("/api/query" + query);
	}

}
