package io.cryoprotect.gateway.health;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.cryoprotect.gateway.GatewayApplication;
import io.cryoprotect.gateway.support.StandaloneGateway;
import io.cryoprotect.gateway.support.StubUpstream;
import io.cryoprotect.gateway.support.TestConfigDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Shutdown drains: readiness goes DOWN first, requests in flight (and those arriving
 * during the drain delay) all complete, then the gateway exits, with status 0 on SIGTERM
 * (F11). Each test starts its own gateway, since shutting down is what is tested.
 */
class DrainIntegrationTests {

	private final StubUpstream upstream = new StubUpstream("flask-blue");

	private final TestConfigDir routes = new TestConfigDir("routes");

	private final TestConfigDir filters = new TestConfigDir("filters-conf",
			java.util.Map.of("ratelimits.yml", TestConfigDir.SHADOW_RATE_LIMITS));

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	@AfterEach
	void stopUpstream() {
		upstream.close();
	}

	@Test
	void contextCloseDrainsInFlightRequestsAfterReadinessWentDown() throws Exception {
		List<String> events = new CopyOnWriteArrayList<>();
		ConfigurableApplicationContext context = StandaloneGateway.start(
				List.of((ApplicationListener<AvailabilityChangeEvent<?>>) e -> events.add("readiness " + e.getState())),
				args(0, 0, "1s"));
		int port = StandaloneGateway.port(context);
		int managementPort = StandaloneGateway.managementPort(context);
		assertThat(status(managementPort, "/actuator/health/readiness")).isEqualTo(200);

		upstream.holdResponses();
		List<CompletableFuture<HttpResponse<String>>> inFlight = send(port, 5);
		await().atMost(Duration.ofSeconds(5)).until(() -> upstream.count() == 5);

		CompletableFuture<Void> closed = CompletableFuture.runAsync(context::close);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> events.contains("readiness " + ReadinessState.REFUSING_TRAFFIC));
		assertThat(status(managementPort, "/actuator/health/readiness")).isEqualTo(503);
		// Still inside the drain delay: a late request is accepted and served, not
		// refused.
		inFlight.addAll(send(port, 1));
		await().atMost(Duration.ofSeconds(5)).until(() -> upstream.count() == 6);
		assertThat(closed).isNotDone();

		upstream.release();
		for (CompletableFuture<HttpResponse<String>> response : inFlight) {
			assertThat(response.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		}
		closed.get(20, TimeUnit.SECONDS);
		assertThat(context.isActive()).isFalse();
	}

	@Test
	@Tag("slow")
	void sigtermDrainsAndExitsWithStatusZero() throws Exception {
		int port = freePort();
		int managementPort = freePort();
		List<String> command = new java.util.ArrayList<>(
				List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java", "-Xmx256m",
						"-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
						GatewayApplication.class.getName()));
		command.addAll(List.of(args(port, managementPort, "500ms")));
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(File.createTempFile("gateway-sigterm", ".log"))
			.start();
		try {
			await().atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> status(managementPort, "/actuator/health/readiness") == 200);
			upstream.holdResponses();
			List<CompletableFuture<HttpResponse<String>>> inFlight = send(port, 3);
			await().atMost(Duration.ofSeconds(5)).until(() -> upstream.count() == 3);

			process.destroy(); // SIGTERM
			await().atMost(Duration.ofSeconds(5))
				.until(() -> status(managementPort, "/actuator/health/readiness") == 503);
			assertThat(process.isAlive()).isTrue();

			upstream.release();
			for (CompletableFuture<HttpResponse<String>> response : inFlight) {
				assertThat(response.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
			}
			assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
			assertThat(process.exitValue()).isZero();
		}
		finally {
			process.destroyForcibly();
		}
	}

	private String[] args(int port, int managementPort, String drainDelay) {
		return new String[] { "--server.port=" + port, "--management.server.port=" + managementPort,
				"--gateway.drain.delay=" + drainDelay, "--gateway.routing.dir=" + routes.path(),
				"--gateway.filters-conf.dir=" + filters.path(), "--FLASK_BLUE_URL=" + upstream.url() };
	}

	private List<CompletableFuture<HttpResponse<String>>> send(int port, int count) {
		List<CompletableFuture<HttpResponse<String>>> futures = new CopyOnWriteArrayList<>();
		for (int i = 0; i < count; i++) {
			futures
				.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/molecules"))
					.timeout(Duration.ofSeconds(20))
					.build(), HttpResponse.BodyHandlers.ofString()));
		}
		return futures;
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

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
