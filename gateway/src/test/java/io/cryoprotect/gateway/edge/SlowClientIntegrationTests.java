package io.cryoprotect.gateway.edge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.cryoprotect.gateway.support.RawHttp;
import io.cryoprotect.gateway.support.StandaloneGateway;
import io.cryoprotect.gateway.support.TestConfigDir;
import io.cryoprotect.gateway.support.TestUpstreams;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Slow clients are cut off by the server's timeouts instead of holding a connection
 * forever (docs/reliability.md H10), and idle keep-alive connections are closed. A
 * dedicated gateway runs with 300 ms idle and read timeouts and a 1 s request timeout.
 */
class SlowClientIntegrationTests {

	/**
	 * The loggers a connection and its request pass through (Reactor, Reactor Netty,
	 * Netty, WebFlux, Spring Cloud Gateway, the gateway's own request path). Other
	 * gateways in this JVM log their background work (health checks of stubs other tests
	 * stopped, config reloads) meanwhile; that is not what is under test here.
	 */
	private static final List<String> REQUEST_PATH_LOGGERS = List.of("reactor.", "io.netty.", "org.springframework.web",
			"org.springframework.http", "org.springframework.cloud.gateway", "io.cryoprotect.gateway.edge",
			"io.cryoprotect.gateway.errors", "io.cryoprotect.gateway.observability",
			"io.cryoprotect.gateway.validation", "io.cryoprotect.gateway.routing.RouteLookupWebFilter",
			"io.cryoprotect.gateway.resilience.ResilienceGatewayFilter",
			"io.cryoprotect.gateway.resilience.UpstreamRoutingFilter", "io.cryoprotect.gateway.identity",
			"io.cryoprotect.gateway.ratelimit.RateLimitFilter");

	private static ConfigurableApplicationContext context;

	private static int port;

	@BeforeAll
	static void start() {
		TestConfigDir routes = new TestConfigDir("routes");
		// Breakers that open on two failures out of two: a stalled body counted against
		// the upstream would show.
		// Writes get a 500 ms deadline, shorter than the 1 s request timeout that a
		// trickled body runs into.
		TestConfigDir filters = new TestConfigDir("filters-conf",
				Map.of("ratelimits.yml", TestConfigDir.SHADOW_RATE_LIMITS, "resilience.yml", text -> replace(
						replace(replace(text, "slidingWindowSize: 20", "slidingWindowSize: 2"),
								"minimumNumberOfCalls: 10", "minimumNumberOfCalls: 2"),
						"responseTimeout: 15s\n    requestTimeout: 20s\n    retry:\n      maxAttempts: 2",
						"responseTimeout: 400ms\n    requestTimeout: 500ms\n    retry:\n      maxAttempts: 2")));
		context = StandaloneGateway.start("--gateway.edge.idle-timeout=300ms", "--gateway.edge.header-timeout=300ms",
				"--gateway.edge.read-timeout=300ms", "--gateway.edge.request-timeout=1s",
				"--gateway.routing.dir=" + routes.path(), "--gateway.filters-conf.dir=" + filters.path(),
				"--FLASK_BLUE_URL=" + TestUpstreams.FLASK_BLUE.url());
		port = StandaloneGateway.port(context);
	}

	@AfterAll
	static void stop() {
		context.close();
		// The stubs are shared with the test classes after this one, which count what
		// reaches them.
		TestUpstreams.resetAll();
	}

	@Test
	void stalledHeadersAndStalledBodiesAreDisconnected() throws Exception {
		TestUpstreams.FLASK_BLUE.reset();
		assertDisconnected(port, "GET /api/v1/molecules HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
		assertDisconnected(port,
				"POST /api/v1/mixtures HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
						+ "Content-Length: 100\r\n\r\n{\"name\":");
		assertThat(TestUpstreams.FLASK_BLUE.received()).noneMatch(r -> r.method().equals("GET"));
	}

	/**
	 * A stalled body is the client's doing, answered and recorded as NGINX does its
	 * client_body_timeout: a 408 problem, the connection closed after it, and an edge
	 * rejection, not 499, whether the gateway was reading the body itself (an endpoint
	 * with a schema) or streaming it to the upstream (one without). The upstream call it
	 * was streaming to is abandoned with no verdict on the upstream: three of them
	 * against a breaker that opens on two failures, and the upstream still gets the next
	 * request.
	 */
	@Test
	void aStalledBodyIs408AndNoFailureOfTheUpstreams() throws Exception {
		TestUpstreams.FLASK_BLUE.reset();
		MeterRegistry registry = context.getBean(MeterRegistry.class);
		long rejectedBefore = requests(registry, "4xx", "rejected");
		long serverErrorsBefore = requests(registry, "5xx", "server_error");
		double edgeLimitsBefore = edgeLimits(registry);
		assertAnswered408(RawHttp.send(port, "POST /api/v1/mixtures HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				+ "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":"));
		for (int i = 0; i < 3; i++) {
			assertAnswered408(RawHttp.send(port, "POST /api/v1/mixtures/m-1/experiments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
					+ "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"temperature\":"));
		}
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(requests(registry, "4xx", "rejected")).isEqualTo(rejectedBefore + 4));
		assertThat(edgeLimits(registry)).isEqualTo(edgeLimitsBefore + 4);
		assertThat(requests(registry, "5xx", "server_error")).isEqualTo(serverErrorsBefore);
		assertThat(RawHttp.get(port, "/api/v1/molecules").status()).isEqualTo(200);
		assertThat(RawHttp.get(StandaloneGateway.managementPort(context), "/actuator/gatewayupstreams").body())
			.contains("\"flask-api/blue\":\"CLOSED\"");
	}

	/**
	 * What the client reads: a 408 in the route's error shape, Flask's on these paths
	 * (never a 200 for a POST that never reached anyone), then the close.
	 */
	private static void assertAnswered408(RawHttp.Response response) {
		assertThat(response.status()).isEqualTo(408);
		assertThat(response.text().toLowerCase(Locale.ROOT)).contains("\r\nconnection: close\r\n")
			.contains("\r\ncontent-type: application/json");
		assertThat(response.body()).contains("\"type\":\"https://cryoprotect.io/problems/request-timeout\"")
			.contains("\"status\":\"error\"")
			.contains("\"code\":408");
		assertThat(response.closedByServer()).isTrue();
	}

	private static long requests(MeterRegistry registry, String status, String outcome) {
		return registry.find("gateway.requests")
			.tags("route", "flask-api", "status", status, "outcome", outcome)
			.timers()
			.stream()
			.mapToLong(Timer::count)
			.sum();
	}

	private static double edgeLimits(MeterRegistry registry) {
		return registry.find("gateway.rejections")
			.tags("route", "flask-api", "cause", "edge_limit")
			.counters()
			.stream()
			.mapToDouble(counter -> counter.count())
			.sum();
	}

	private static String replace(String text, String from, String to) {
		if (!text.contains(from)) {
			throw new IllegalStateException("resilience.yml has no '" + from + "' line to edit");
		}
		return text.replace(from, to);
	}

	/**
	 * A request queued behind another (pipelined) gets the read timeout too once it is
	 * handed on.
	 */
	@Test
	void aStalledBodyQueuedBehindAnotherRequestIsDisconnected() {
		try (RawHttp.KeptAlive connection = RawHttp.connect(port)) {
			connection.write("GET /api/v1/molecules HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
					+ "POST /api/v1/mixtures HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
					+ "Content-Length: 100\r\n\r\n{\"name\":");
			assertThat(connection.read().status()).isEqualTo(200);
			// Closed by the server once its 300 ms timeout passed; how late a loaded
			// machine lets that show is not measured.
			assertThat(connection.millisUntilClosed()).isGreaterThanOrEqualTo(200L);
		}
	}

	/**
	 * A body that never pauses for the read timeout is still cut off by the request
	 * timeout.
	 */
	@Test
	void aTrickledBodyIsDisconnectedAtTheRequestTimeout() throws Exception {
		ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port));
			socket.setSoTimeout(5_000);
			OutputStream out = socket.getOutputStream();
			out.write(("POST /api/v1/mixtures HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
					+ "Content-Length: 1000\r\n\r\n{")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			long start = System.nanoTime();
			// One byte every 100 ms: never silent for the 300 ms read timeout, and 100 s
			// from a complete body.
			trickle.scheduleAtFixedRate(() -> {
				try {
					out.write(' ');
					out.flush();
				}
				catch (IOException closed) {
					throw new UncheckedIOException(closed);
				}
			}, 100, 100, TimeUnit.MILLISECONDS);
			// The 408 before the close, unless the reset that the next trickled byte
			// draws overtakes it.
			readUntilClosed(socket.getInputStream());
			long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
			// Past the 300 ms read timeout, so the 1 s request timeout cut it off; no
			// upper bound, a loaded machine
			// may show the close late.
			assertThat(elapsedMillis).isGreaterThanOrEqualTo(800L);
		}
		finally {
			trickle.shutdownNow();
		}
	}

	/**
	 * A body trickling to an endpoint without a schema (streamed to the upstream as it
	 * comes), never silent for the read timeout, past the route's 500 ms deadline: the
	 * upstream's deadline only starts once the body is in, so the request runs into the
	 * client's 1 s request timeout instead. It is the client's 408, an edge rejection,
	 * not a 504 of the upstream's, and no failure of the upstream's breaker.
	 */
	@Test
	void aBodyTricklingPastTheUpstreamDeadlineIsTheClients408() throws Exception {
		MeterRegistry registry = context.getBean(MeterRegistry.class);
		long serverErrorsBefore = requests(registry, "5xx", "server_error");
		double edgeLimitsBefore = edgeLimits(registry);
		ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port));
			socket.setSoTimeout(5_000);
			OutputStream out = socket.getOutputStream();
			out.write(("POST /api/v1/mixtures/m-1/experiments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
					+ "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			// Six bytes 100 ms apart, past the 500 ms deadline; then the body stalls, and
			// the read timeout ends it.
			// (Nothing is sent once the gateway may have closed: that would draw a reset
			// that can overtake the 408.)
			trickle(trickle, out, 100, 6, i -> " ");
			assertThat(readUntilClosed(socket.getInputStream())).startsWith("HTTP/1.1 408 ")
				.contains("request-timeout");
		}
		finally {
			trickle.shutdownNow();
		}
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(edgeLimits(registry)).isEqualTo(edgeLimitsBefore + 1));
		assertThat(requests(registry, "5xx", "server_error")).isEqualTo(serverErrorsBefore);
		assertThat(RawHttp.get(StandaloneGateway.managementPort(context), "/actuator/gatewayupstreams").body())
			.contains("\"flask-api/blue\":\"CLOSED\"");
	}

	/**
	 * A head sent a line at a time is never silent for the 300 ms idle timeout, which
	 * Reactor Netty restarts with every read; the header timeout bounds the whole head,
	 * as NGINX's client_header_timeout: the client gets a 408 problem and the connection
	 * is closed.
	 */
	@Test
	void aHeadSentALineAtATimeIs408AtTheHeaderTimeout() throws Exception {
		MeterRegistry registry = context.getBean(MeterRegistry.class);
		double before = clientErrors(registry, "header_timeout");
		ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port));
			socket.setSoTimeout(5_000);
			OutputStream out = socket.getOutputStream();
			out.write("GET /api/v1/molecules HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			// A line every 50 ms until 200 ms: never silent for the idle timeout before
			// the header timeout is due.
			trickle(trickle, out, 50, 4, i -> "X-Slow-" + i + ": v\r\n");
			String answer = readUntilClosed(socket.getInputStream());
			assertThat(answer).startsWith("HTTP/1.1 408 ")
				.contains("\r\nConnection: close\r\n")
				.contains("\r\nContent-Type: application/problem+json\r\n")
				.contains("\"type\":\"https://cryoprotect.io/problems/request-timeout\"");
		}
		finally {
			trickle.shutdownNow();
		}
		assertThat(clientErrors(registry, "header_timeout")).isEqualTo(before + 1);
		assertThat(TestUpstreams.FLASK_BLUE.received()).noneMatch(r -> r.headers().contains("X-Slow-0"));
	}

	/**
	 * A new connection that sends nothing is closed at the header timeout without an
	 * answer, and counted.
	 */
	@Test
	void aSilentConnectionIsClosedAtTheHeaderTimeout() throws Exception {
		MeterRegistry registry = context.getBean(MeterRegistry.class);
		double before = clientErrors(registry, "silent_connection");
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port));
			socket.setSoTimeout(5_000);
			assertThat(readUntilClosed(socket.getInputStream())).isEmpty();
		}
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(clientErrors(registry, "silent_connection")).isEqualTo(before + 1));
	}

	/**
	 * Misbehaving clients go to counters, not to the log: stalled bodies (read by the
	 * gateway, and streamed to an upstream), late heads, silent connections and clients
	 * hanging up mid-head leave no WARN or ERROR line.
	 */
	@Test
	void misbehavingClientsLogNoWarningsOrErrors() throws Exception {
		Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
		ListAppender<ILoggingEvent> captured = new ListAppender<>();
		captured.start();
		root.addAppender(captured);
		try {
			for (int i = 0; i < 3; i++) {
				assertAnswered408(RawHttp.send(port, "POST /api/v1/mixtures HTTP/1.1\r\nHost: 127.0.0.1\r\n"
						+ "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":"));
				assertAnswered408(
						RawHttp.send(port, "POST /api/v1/mixtures/m-1/experiments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
								+ "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"temperature\":"));
				assertThat(RawHttp.send(port, "GET /api/v1/molecules HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").status())
					.isEqualTo(408);
				assertThat(RawHttp.send(port, "").text()).isEmpty();
				try (Socket socket = new Socket()) {
					socket.connect(new InetSocketAddress("127.0.0.1", port));
					socket.getOutputStream()
						.write("GET /api/v1/molecules HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: "
							.getBytes(StandardCharsets.US_ASCII));
				}
			}
			// The last connection's closing is seen by the gateway asynchronously: a
			// request after it, on a new
			// connection, is answered once the event loops have moved on.
			assertThat(RawHttp.get(port, "/api/v1/molecules").status()).isEqualTo(200);
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(clientErrors(context.getBean(MeterRegistry.class), "closed_mid_head"))
					.isGreaterThanOrEqualTo(3));
		}
		finally {
			root.detachAppender(captured);
		}
		List<ILoggingEvent> events;
		synchronized (captured) {
			// AppenderBase appends under the appender's lock, from the gateway's event
			// loops.
			events = List.copyOf(captured.list);
		}
		assertThat(events).filteredOn(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
			.filteredOn(event -> REQUEST_PATH_LOGGERS.stream().anyMatch(event.getLoggerName()::startsWith))
			.extracting(ILoggingEvent::getFormattedMessage)
			.isEmpty();
	}

	private static double clientErrors(MeterRegistry registry, String reason) {
		return registry.find("gateway.client.errors")
			.tag("reason", reason)
			.counters()
			.stream()
			.mapToDouble(counter -> counter.count())
			.sum();
	}

	/**
	 * The case where Reactor Netty 1.3.6 left the idle timeout off (see
	 * RequestReadGuard).
	 */
	@Test
	void aConnectionLeftIdleAfterAQueuedLocalAnswerIsClosed() {
		try (RawHttp.KeptAlive connection = RawHttp.connect(port)) {
			connection.write("GET /api/v1/molecules HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
					+ "GET /no-such-route HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
			assertThat(connection.read().status()).isEqualTo(200);
			assertThat(connection.read().status()).isEqualTo(404);
			// Closed by the server once its 300 ms timeout passed; how late a loaded
			// machine lets that show is not measured.
			assertThat(connection.millisUntilClosed()).isGreaterThanOrEqualTo(200L);
		}
	}

	/**
	 * Writes {@code times} pieces, one every {@code periodMillis}, starting one period
	 * from now.
	 */
	private static void trickle(ScheduledExecutorService executor, OutputStream out, long periodMillis, int times,
			IntFunction<String> piece) {
		for (int i = 0; i < times; i++) {
			String text = piece.apply(i);
			executor.schedule(() -> {
				try {
					out.write(text.getBytes(StandardCharsets.US_ASCII));
					out.flush();
				}
				catch (IOException closed) {
					throw new UncheckedIOException(closed);
				}
			}, periodMillis * (i + 1), TimeUnit.MILLISECONDS);
		}
	}

	/**
	 * What the server sent until it closed. A client still sending when the server closes
	 * gets a reset, which ends the stream here too: what was read before it is kept.
	 */
	private static String readUntilClosed(InputStream in) throws IOException {
		StringBuilder received = new StringBuilder();
		byte[] buffer = new byte[1024];
		try {
			for (int n; (n = in.read(buffer)) >= 0;) {
				received.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
			}
		}
		catch (SocketException reset) {
			assertThat(reset.getMessage()).contains("reset");
		}
		return received.toString();
	}

	private static void assertDisconnected(int port, String partialRequest) throws Exception {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port));
			socket.setSoTimeout(5_000);
			OutputStream out = socket.getOutputStream();
			out.write(partialRequest.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			long start = System.nanoTime();
			InputStream in = socket.getInputStream();
			int read;
			do {
				read = in.read();
			}
			while (read >= 0);
			long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
			// Closed by the server (read() == -1, not the 5 s socket timeout), after
			// waiting for the 300 ms timeout.
			assertThat(elapsedMillis).isGreaterThanOrEqualTo(200L);
		}
	}

}
