package io.cryoprotect.gateway.websocket;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.cryoprotect.gateway.support.StandaloneGateway;
import io.cryoprotect.gateway.support.StubUpstream;
import io.cryoprotect.gateway.support.TestConfigDir;
import io.cryoprotect.gateway.support.TestWebSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What ends a proxied WebSocket besides its two ends: the drain on shutdown and the idle
 * timeout. Each test starts a gateway of its own, with its own timings.
 */
class WebSocketLifecycleIntegrationTests {

	private static final String SYNC = "/convex/api/1.24.1/sync";

	private final StubUpstream convex = new StubUpstream("convex");

	private final TestConfigDir routes = new TestConfigDir("routes");

	private ConfigurableApplicationContext gateway;

	@AfterEach
	void stop() {
		if (gateway != null) {
			gateway.close();
		}
		convex.close();
	}

	@Test
	void onDrainOpenSocketsServeThroughTheDelayThenGetGoingAwayAtBothEnds() throws Exception {
		List<String> events = new CopyOnWriteArrayList<>();
		gateway = StandaloneGateway.start(
				List.of((ApplicationListener<AvailabilityChangeEvent<?>>) e -> events.add("readiness " + e.getState())),
				args("--gateway.drain.delay=1s"));
		TestWebSocket socket = TestWebSocket.connect(StandaloneGateway.port(gateway), SYNC).awaitOpen();
		assertThat(socket.next()).contains("\"upstream\":\"convex\"");

		CompletableFuture<Void> closed = CompletableFuture.runAsync(gateway::close);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> events.contains("readiness " + ReadinessState.REFUSING_TRAFFIC));
		// Within the drain delay the socket still relays.
		socket.send("still there?");
		assertThat(socket.next()).isEqualTo("echo:still there?");

		assertThat(socket.awaitCloseFrame()).isEqualTo("1001 going away");
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(convex.webSocketCloses()).contains("1001 going away"));
		closed.get(20, TimeUnit.SECONDS);
		assertThat(gateway.isActive()).isFalse();
		socket.close();
	}

	@Test
	void aSilentSocketOutlivesTheServersIdleAndReadTimeoutsAndClosesAtItsOwnIdleTimeout() throws Exception {
		// The server's own timeouts far below the socket's: an upgraded connection is not
		// theirs to close.
		gateway = StandaloneGateway.start(args("--gateway.websocket.idle-timeout=4s", "--gateway.edge.idle-timeout=1s",
				"--gateway.edge.read-timeout=1s", "--gateway.edge.request-timeout=1s"));
		// A first handshake in a cold JVM on a loaded machine may take longer than these
		// timeouts to be read.
		await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
			try (TestWebSocket warmUp = TestWebSocket.connect(StandaloneGateway.port(gateway), SYNC).awaitOpen()) {
				return warmUp.next().contains("convex");
			}
		});
		TestWebSocket socket = TestWebSocket.connect(StandaloneGateway.port(gateway), SYNC).awaitOpen();
		socket.next();
		// The gateway notes this frame, and the upstream's echo, no earlier than now.
		long lastFrame = System.nanoTime();
		socket.send("one");
		assertThat(socket.next()).isEqualTo("echo:one");

		assertThat(socket.awaitCloseFrame()).isEqualTo("1001 idle timeout");
		assertThat(Duration.ofNanos(System.nanoTime() - lastFrame)).isGreaterThanOrEqualTo(Duration.ofSeconds(4));
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(convex.webSocketCloses()).contains("1001 idle timeout"));
		socket.close();
	}

	private String[] args(String... extra) {
		List<String> all = new java.util.ArrayList<>(
				List.of("--gateway.routing.dir=" + routes.path(), "--CONVEX_URL=" + convex.url()));
		all.addAll(List.of(extra));
		return all.toArray(String[]::new);
	}

}
