package io.cryoprotect.gateway.resilience;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cryoprotect.gateway.GatewayApplication;
import io.cryoprotect.gateway.support.Scrape;
import io.cryoprotect.gateway.support.TestConfigDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retry buffers in a gateway JVM of its own, sized as the production image sizes it: the
 * Dockerfile's JAVA_TOOL_OPTIONS (heap share, direct memory, serial GC) and
 * {@code -XX:MaxRAM=512m} for the 512 MiB container. Forty 9 MiB PUTs are in flight at
 * once (the upstream answers none until it has read all forty bodies), ten times the
 * default budget of 64 MB: seven bodies are held, thirty-three stream through uncached,
 * every request is answered by the upstream, and the JVM's peak resident memory stays
 * inside the container.
 */
@Tag("slow")
class RetryBufferMemoryTests {

	private static final int REQUESTS = 40;

	private static final int BODY_BYTES = 9 * 1024 * 1024;

	private static final long BUDGET = 64L * 1024 * 1024;

	private static final long CONTAINER = 512L * 1024 * 1024;

	private final ExecutorService upstreamThreads = Executors.newCachedThreadPool();

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	private HttpServer upstream;

	private Process gateway;

	@AfterEach
	void stop() {
		if (gateway != null) {
			gateway.destroyForcibly();
		}
		if (upstream != null) {
			upstream.stop(0);
		}
		upstreamThreads.shutdownNow();
	}

	@Test
	void fortyConcurrentLargePutsStayWithinTheBudgetAndThePod() throws Exception {
		CountDownLatch allBodiesRead = new CountDownLatch(REQUESTS);
		CountDownLatch answer = new CountDownLatch(1);
		AtomicLong bodyBytes = new AtomicLong();
		upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), REQUESTS * 2);
		upstream.setExecutor(upstreamThreads);
		upstream.createContext("/", exchange -> {
			if (exchange.getRequestMethod().equals("PUT")) {
				bodyBytes.addAndGet(discard(exchange.getRequestBody()));
				allBodiesRead.countDown();
				awaitQuietly(answer);
			}
			respond(exchange);
		});
		upstream.start();
		String upstreamUrl = "http://127.0.0.1:" + upstream.getAddress().getPort();

		int port = freePort();
		int managementPort = freePort();
		Path log = Files.createTempFile("retry-buffer-memory", ".log");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		// Surefire's class path (a manifest-only jar) serves the child JVM as well.
		ProcessBuilder builder = new ProcessBuilder(java, "-XX:MaxRAM=512m", "-Dio.netty.leakDetection.level=paranoid",
				"-cp", System.getProperty("java.class.path"), GatewayApplication.class.getName(),
				"--server.port=" + port, "--management.server.port=" + managementPort, "--gateway.drain.delay=0s",
				"--gateway.routing.dir=" + Path.of("..", "routes"),
				"--gateway.filters-conf.dir=" + filtersConf().path())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		builder.environment().put("JAVA_TOOL_OPTIONS", imageJavaToolOptions());
		builder.environment().put("FLASK_BLUE_URL", upstreamUrl);
		builder.environment().put("FLASK_GREEN_URL", upstreamUrl);
		gateway = builder.start();
		await().atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> status(managementPort, "/actuator/health/readiness") == 200);

		byte[] body = new byte[BODY_BYTES];
		List<CompletableFuture<HttpResponse<Void>>> puts = new ArrayList<>();
		for (int i = 0; i < REQUESTS; i++) {
			puts.add(http
				.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/molecules/m-" + i))
					.header("Content-Type", "application/octet-stream")
					.PUT(HttpRequest.BodyPublishers.ofByteArray(body))
					.build(), HttpResponse.BodyHandlers.discarding()));
		}
		assertThat(allBodiesRead.await(2, TimeUnit.MINUTES))
			.as("the upstream read all %d bodies; gateway output:%n%s", REQUESTS, Files.readString(log))
			.isTrue();
		// All forty exchanges are open: seven 9 MiB bodies fit in 64 MiB, the other
		// thirty-three streamed.
		Scrape during = scrape(managementPort);
		assertThat(during.value("gateway_retry_buffer_bytes")).isEqualTo(7.0 * BODY_BYTES);
		assertThat(during.value("gateway_retry_buffer_max_bytes")).isEqualTo(BUDGET);
		assertThat(during.value("gateway_retry_buffer_overflows_total{route=\"flask-api\"}")).isEqualTo(REQUESTS - 7);

		answer.countDown();
		for (CompletableFuture<HttpResponse<Void>> put : puts) {
			assertThat(put.get(1, TimeUnit.MINUTES).statusCode()).isEqualTo(200);
		}
		assertThat(bodyBytes.get()).isEqualTo((long) REQUESTS * BODY_BYTES);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> scrape(managementPort).value("gateway_retry_buffer_bytes") == 0);
		long peakResident = peakResidentBytes(gateway.pid());
		String output = Files.readString(log);
		assertThat(peakResident).as("peak RSS of the gateway; output:%n%s", output).isLessThan(CONTAINER);
		assertThat(output).doesNotContain("LEAK:", "java.lang.OutOfMemoryError", "direct buffer memory");
		Files.delete(log);
	}

	/**
	 * The repository's policies, with rate limits counted only, timeouts long enough for
	 * a slow machine, and no health checks (a probe timing out on a busy machine would
	 * take the upstream out of the pick).
	 */
	private static TestConfigDir filtersConf() {
		return new TestConfigDir("filters-conf",
				Map.of("ratelimits.yml", TestConfigDir.SHADOW_RATE_LIMITS, "resilience.yml",
						text -> replace(
								replace(replace(text, "responseTimeout: 15s", "responseTimeout: 2m"),
										"requestTimeout: 20s", "requestTimeout: 3m"),
								"healthCheck:\n      enabled: true", "healthCheck:\n      enabled: false")));
	}

	private static String replace(String text, String from, String to) {
		if (!text.contains(from)) {
			throw new IllegalStateException("resilience.yml has no '" + from + "'");
		}
		return text.replace(from, to);
	}

	/**
	 * The JVM flags the production image runs with, read from the Dockerfile so the test
	 * follows it.
	 */
	private static String imageJavaToolOptions() throws IOException {
		Matcher env = Pattern.compile("(?m)^ENV JAVA_TOOL_OPTIONS=\"([^\"]+)\"$")
			.matcher(Files.readString(Path.of("..", "Dockerfile")));
		assertThat(env.find()).as("the Dockerfile sets JAVA_TOOL_OPTIONS").isTrue();
		assertThat(env.group(1)).contains("-XX:MaxRAMPercentage=", "-XX:MaxDirectMemorySize=", "-XX:+UseSerialGC");
		return env.group(1);
	}

	/** VmHWM, the process's peak resident set, from /proc. */
	private static long peakResidentBytes(long pid) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
			if (line.startsWith("VmHWM:")) {
				return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
			}
		}
		throw new IllegalStateException("no VmHWM in /proc/" + pid + "/status");
	}

	private int status(int port, String path) {
		try {
			return http
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
					.timeout(Duration.ofSeconds(2))
					.build(), HttpResponse.BodyHandlers.discarding())
				.statusCode();
		}
		catch (IOException ex) {
			return -1;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return -1;
		}
	}

	private Scrape scrape(int managementPort) throws IOException, InterruptedException {
		return new Scrape(http
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus"))
				.build(), HttpResponse.BodyHandlers.ofString())
			.body());
	}

	private static long discard(InputStream in) throws IOException {
		byte[] buffer = new byte[64 * 1024];
		long total = 0;
		for (int n; (n = in.read(buffer)) >= 0;) {
			total += n;
		}
		return total;
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(2, TimeUnit.MINUTES);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void respond(HttpExchange exchange) throws IOException {
		byte[] json = "{\"status\":\"ok\"}".getBytes();
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(200, json.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(json);
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
