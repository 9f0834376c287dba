package io.cryoprotect.gateway.health;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.cryoprotect.gateway.websocket.WebSocketSessions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The first thing stopped on shutdown. By then Spring Boot has already turned readiness
 * DOWN; this waits the drain delay, without blocking any thread, while the gateway still
 * serves, so load balancers stop sending before the web server's graceful shutdown stops
 * accepting and lets in-flight requests finish. Open WebSockets, which would otherwise
 * hold the graceful shutdown up to its timeout, then get a close frame 1001 "going away",
 * so their clients reconnect to another instance.
 */
@Component
class DrainLifecycle implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(DrainLifecycle.class);

	/**
	 * How long the WebSockets' close frames may take to go out before the shutdown goes
	 * on.
	 */
	private static final Duration GO_AWAY_BOUND = Duration.ofSeconds(5);

	private final DrainProperties properties;

	private final ObjectProvider<WebSocketSessions> webSockets;

	private volatile boolean running;

	DrainLifecycle(DrainProperties properties, ObjectProvider<WebSocketSessions> webSockets) {
		this.properties = properties;
		this.webSockets = webSockets;
	}

	@Override
	public void start() {
		running = true;
	}

	@Override
	public void stop() {
		running = false;
	}

	@Override
	public void stop(Runnable callback) {
		running = false;
		logger.info("Shutdown: readiness is DOWN; still serving for the drain delay of " + properties.delay()
				+ " before refusing new connections");
		CompletableFuture.delayedExecutor(properties.delay().toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
			WebSocketSessions sockets = webSockets.getIfAvailable();
			if (sockets == null) {
				callback.run();
				return;
			}
			int open = sockets.openCount();
			if (open > 0) {
				logger.info("Shutdown: closing " + open + " open WebSockets with 1001 going away");
			}
			// A client that reads nothing never takes its close frame: the shutdown goes
			// on without it after a bound.
			sockets.goAway().timeout(GO_AWAY_BOUND, Mono.empty()).doFinally(signal -> callback.run()).subscribe();
		});
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	@Override
	public int getPhase() {
		// Stops before the web server's graceful shutdown phase (Integer.MAX_VALUE -
		// 1024).
		return Integer.MAX_VALUE;
	}

}
