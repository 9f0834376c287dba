package io.cryoprotect.gateway.health;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The first thing stopped on shutdown. By then Spring Boot has already turned readiness
 * DOWN; this waits the drain delay, without blocking any thread, while the gateway still
 * serves, so load balancers stop sending before the web server's graceful shutdown stops
 * accepting and lets in-flight requests finish.
 */
@Component
class DrainLifecycle implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(DrainLifecycle.class);

	private final DrainProperties properties;

	private volatile boolean running;

	DrainLifecycle(DrainProperties properties) {
		this.properties = properties;
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
		CompletableFuture.delayedExecutor(properties.delay().toMillis(), TimeUnit.MILLISECONDS).execute(callback);
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	@Override
	public int getPhase() {
		// Stops before the web server's graceful shutdown phase (Integer.MAX_VALUE - 1024).
		return Integer.MAX_VALUE;
	}

}
