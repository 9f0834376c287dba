package io.cryoprotect.gateway.proxy;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.cryoprotect.gateway.support.RawHttp;
import io.cryoprotect.gateway.support.StandaloneGateway;
import io.cryoprotect.gateway.support.TestConfigDir;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fast path against Spring Cloud Gateway's stock one
 * ({@code gateway.proxy.fast-path=false}), one gateway each, the same raw requests to
 * both through a raw-socket upstream that echoes the request head it received: the
 * client's status and response headers, the upstream's request head, and the answers to
 * an upstream that refuses, resets or never answers must agree, but for the differences
 * named in the tests below, which are the fast path's on purpose.
 */
class FastPathDifferentialTests {

	private static final EchoUpstream ECHO = new EchoUpstream();

	/**
	 * A route of the echo tests, appended to the shipped Convex file (service convex,
	 * whose health check is off).
	 */
	private static String route(String id, String path, String filters, String uri) {
		return """
				  - id: %s
				    metadata: {owner: tests, description: differential test}
				    match:
				      paths: [%s]
				    filters: [%s]
				    errors: problem
				    upstreams:
				      blue:
				        uri: %s
				        weight: 100
				""".formatted(id, path, filters, uri);
	}

	/**
	 * One attempt, 1 s for the response: what the stock path gets from SCG's
	 * response-timeout.
	 */
	private static final String PRESET = """
			presets:
			  echo:
			    connectTimeout: 1s
			    responseTimeout: 1s
			    requestTimeout: 5s
			    retry:
			      maxAttempts: 1
			      initialBackoff: 50ms
			      maxBackoff: 1s
			      multiplier: 2.0
			      jitter: 0.5
			      retryOn: [connect-failure, reset, 502, 503, 504]
			      maxRetryAfter: 2s
			""";

	private static final String POLICIES = """
			routes:
			  echo:
			    preset: echo
			  echo-host:
			    preset: echo
			  refused:
			    preset: echo
			""";

	/**
	 * A request id header (client or upstream bound) or the one in an error body: new for
	 * every request.
	 */
	private static final Pattern REQUEST_ID = Pattern.compile("(?i)(x-request-id: |\"requestId\":\")[^\\s\"]+");

	private static ConfigurableApplicationContext fast;

	private static ConfigurableApplicationContext stock;

	@BeforeAll
	static void startBothPaths() throws IOException {
		String refused;
		try (ServerSocket closed = new ServerSocket(0)) {
			refused = "http://127.0.0.1:" + closed.getLocalPort();
		}
		TestConfigDir routes = new TestConfigDir("routes",
				Map.of("convex.yml",
						text -> text + route("echo", "/echo/**", "", ECHO.url())
								+ route("echo-host", "/echo-host/**", "{name: PreserveHostHeader}", ECHO.url())
								+ route("refused", "/refused/**", "", refused)));
		TestConfigDir filters = new TestConfigDir("filters-conf",
				Map.of("ratelimits.yml", TestConfigDir.SHADOW_RATE_LIMITS, "resilience.yml",
						text -> text.replace("presets:\n", PRESET).replace("\nroutes:\n", "\n" + POLICIES)));
		List<String> args = List.of("--gateway.routing.dir=" + routes.path(),
				"--gateway.filters-conf.dir=" + filters.path(), "--CONVEX_URL=" + ECHO.url());
		fast = StandaloneGateway.start(args.toArray(String[]::new));
		List<String> stockArgs = new ArrayList<>(args);
		stockArgs.add("--gateway.proxy.fast-path=false");
		stockArgs.add("--spring.cloud.gateway.server.webflux.httpclient.response-timeout=1s");
		stockArgs.add("--spring.cloud.gateway.server.webflux.httpclient.connect-timeout=1000");
		stock = StandaloneGateway.start(stockArgs.toArray(String[]::new));
		for (ConfigurableApplicationContext gateway : List.of(fast, stock)) {
			Awaitility.await("the gateway's first route load")
				.atMost(Duration.ofSeconds(20))
				.until(() -> RawHttp
					.send(StandaloneGateway.managementPort(gateway),
							"GET /actuator/health/readiness HTTP/1.1\r\nHost: 127.0.0.1\r\n"
									+ "Connection: close\r\n\r\n")
					.status() == 200);
		}
	}

	@AfterAll
	static void stop() throws IOException {
		for (ConfigurableApplicationContext gateway : new ConfigurableApplicationContext[] { fast, stock }) {
			if (gateway != null) {
				gateway.close();
			}
		}
		ECHO.close();
	}

	/**
	 * What a client and the upstream saw of one request: status, response head, and the
	 * body (the echoed head).
	 */
	private record Seen(int status, List<String> responseHeaders, List<String> body) {
	}

	private static Seen send(ConfigurableApplicationContext gateway, String request) {
		RawHttp.Response response = RawHttp.send(StandaloneGateway.port(gateway), request);
		String text = REQUEST_ID.matcher(response.text()).replaceAll("$1<id>");
		int split = text.indexOf("\r\n\r\n");
		List<String> head = new ArrayList<>(List.of(text.substring(0, split).split("\r\n")));
		head.remove(0);
		return new Seen(response.status(), sortedLowerCaseNames(head),
				sortedLowerCaseNames(List.of(text.substring(split + 4).split("\r\n"))));
	}

	private static List<String> sortedLowerCaseNames(List<String> lines) {
		return lines.stream().map(line -> {
			int colon = line.indexOf(':');
			return colon < 0 ? line : line.substring(0, colon).toLowerCase(Locale.ROOT) + line.substring(colon);
		}).sorted().toList();
	}

	/**
	 * Sends {@code request} through both paths and asserts they agree; what the fast
	 * path's client and upstream saw.
	 */
	private static Seen sameOnBothPaths(String request) {
		Seen onStock = send(stock, request);
		Seen onFast = send(fast, request);
		assertThat(onFast).as("fast path against stock path for%n%s", request).isEqualTo(onStock);
		return onFast;
	}

	@Test
	void endToEndHeadersPathAndQueryReachTheUpstreamAlike() {
		Seen seen = sameOnBothPaths(
				"GET /echo/a/b?q=1&r=%20 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
						+ "X-Custom: one\r\nX-Custom: two\r\nConnection: close\r\n\r\n");
		assertThat(seen.status()).isEqualTo(200);
		assertThat(seen.body()).contains("GET /echo/a/b?q=1&r=%20 HTTP/1.1", "accept: application/json",
				"x-custom: one", "x-custom: two", "x-real-ip: 127.0.0.1", "x-forwarded-for: 127.0.0.1",
				"x-request-id: <id>");
	}

	@Test
	void aRequestBodyAndItsLengthReachTheUpstreamAlike() {
		Seen seen = sameOnBothPaths("POST /echo/body HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
				+ "Content-Length: 11\r\nConnection: close\r\n\r\n{\"a\":\"bc\"}\n");
		assertThat(seen.status()).isEqualTo(200);
		assertThat(seen.body()).contains("POST /echo/body HTTP/1.1", "content-length: 11",
				"content-type: application/json");
	}

	@Test
	void hopByHopHeadersAndThoseConnectionNamesStayAtTheGatewayBothWays() {
		Seen seen = sameOnBothPaths("GET /echo/hop HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close, X-Hop\r\n"
				+ "Keep-Alive: timeout=5\r\nX-Hop: 1\r\nTE: trailers\r\nTrailer: X-Checksum\r\n"
				+ "Proxy-Authorization: Basic eDp5\r\nX-Application-Context: client\r\nX-End-To-End: 1\r\n\r\n");
		assertThat(seen.status()).isEqualTo(200);
		assertThat(seen.body()).contains("x-end-to-end: 1")
			.noneMatch(line -> line
				.matches("(?i)(keep-alive|x-hop|te|trailer|proxy-authorization|x-application-context):.*"));
		assertThat(seen.responseHeaders()).contains("x-end-to-end: 1")
			.noneMatch(line -> line.matches("(?i)(keep-alive|x-hop|proxy-authenticate|x-application-context):.*"));
	}

	@Test
	void hostIsTheUpstreamsUnlessTheRoutePreservesIt() {
		Seen upstreams = sameOnBothPaths(
				"GET /echo/host HTTP/1.1\r\nHost: client.example\r\nConnection: close\r\n\r\n");
		assertThat(upstreams.body()).contains("host: " + ECHO.url().substring("http://".length()));
		Seen preserved = sameOnBothPaths(
				"GET /echo-host/host HTTP/1.1\r\nHost: client.example\r\nConnection: close\r\n\r\n");
		assertThat(preserved.body()).contains("host: client.example");
	}

	@Test
	void forgedIdentityHeadersAreReplacedAlike() {
		Seen seen = sameOnBothPaths("GET /echo/identity HTTP/1.1\r\nHost: 127.0.0.1\r\nX-User-Id: forged\r\n"
				+ "X-User-Role: admin\r\nX-Real-IP: 6.6.6.6\r\nConnection: close\r\n\r\n");
		assertThat(seen.body()).contains("x-real-ip: 127.0.0.1")
			.noneMatch(line -> line.contains("forged") || line.contains("admin") || line.contains("6.6.6.6"));
	}

	@Test
	void forwardingHeadersFromTheClientStayAtTheGateway() {
		Seen seen = sameOnBothPaths("GET /echo/forwarded HTTP/1.1\r\nHost: 127.0.0.1\r\nForwarded: for=6.6.6.6\r\n"
				+ "X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Host: evil.example\r\nX-Forwarded-Port: 1\r\n"
				+ "X-Forwarded-Proto: https\r\nX-Forwarded-Prefix: /x\r\nConnection: close\r\n\r\n");
		assertThat(seen.body()).contains("x-forwarded-for: 127.0.0.1")
			.noneMatch(line -> line.startsWith("forwarded:")
					|| line.startsWith("x-forwarded-") && !line.startsWith("x-forwarded-for:"));
	}

	@Test
	void aRefusedConnectionIsAnsweredAlike() {
		assertThat(sameOnBothPaths("GET /refused/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").status())
			.isEqualTo(502);
	}

	@Test
	void anUpstreamResetIsAnsweredAlike() {
		assertThat(sameOnBothPaths("GET /echo/reset HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").status())
			.isEqualTo(502);
	}

	/**
	 * Deliberate: the fast path times the response out with the route's policy and says
	 * so; the stock path's timeout is SCG's global one, which the gateway answers with
	 * the same problem type in general words.
	 */
	@Test
	void anUpstreamThatNeverAnswersIsAnswered504AlikeOnlyTheFastPathNamesServiceAndTimeout() {
		String request = "GET /echo/hang HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
		Seen onStock = send(stock, request);
		Seen onFast = send(fast, request);
		assertThat(onFast.status()).isEqualTo(onStock.status()).isEqualTo(504);
		assertThat(onFast.body()).hasSize(1);
		assertThat(onStock.body()).hasSize(1);
		String general = "The upstream service did not answer in time.";
		String named = "The convex service did not answer within 1000 ms.";
		assertThat(onStock.body().get(0)).contains("/problems/upstream-timeout", general);
		assertThat(onFast.body().get(0).replace(named, general)).isEqualTo(onStock.body().get(0));
	}

}
