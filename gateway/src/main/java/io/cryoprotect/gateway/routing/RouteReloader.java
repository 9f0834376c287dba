package io.cryoprotect.gateway.routing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.cryoprotect.gateway.configfile.ConfigDirectoryWatcher;
import io.cryoprotect.gateway.configfile.ConfigFiles;
import io.cryoprotect.gateway.configfile.ConfigProblem;
import io.cryoprotect.gateway.configfile.ConfigRejectedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Keeps the live routes in step with the route directory: each new version of the files is
 * loaded off the event loop, swapped in whole if valid, or rejected whole with the last good
 * config left live. Outcomes are counted as {@code gateway_config_reloads_total}.
 */
public class RouteReloader implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RouteReloader.class);

	private final RoutingProperties properties;

	private final RouteConfigLoader loader;

	private final RouteFileRouteLocator locator;

	private final ApplicationEventPublisher publisher;

	private final Clock clock;

	private final Counter applied;

	private final Counter rejected;

	private final ConfigDirectoryWatcher watcher;

	private final AtomicReference<Rejection> lastRejection = new AtomicReference<>();

	private volatile boolean currentRejected;

	private volatile boolean running;

	RouteReloader(RoutingProperties properties, RouteConfigLoader loader, RouteFileRouteLocator locator,
			ApplicationEventPublisher publisher, MeterRegistry meters, Clock clock) {
		this.properties = properties;
		this.loader = loader;
		this.locator = locator;
		this.publisher = publisher;
		this.clock = clock;
		this.applied = reloads(meters, "applied");
		this.rejected = reloads(meters, "rejected");
		Gauge.builder("gateway.config.rejected", () -> currentRejected ? 1 : 0)
			.description("1 while the files on disk are rejected and an older config is live")
			.tag("config", "routes")
			.register(meters);
		this.watcher = new ConfigDirectoryWatcher(properties.dir(), RouteConfigLoader::isRouteFile, this::apply);
	}

	private static Counter reloads(MeterRegistry meters, String result) {
		return Counter.builder("gateway.config.reloads")
			.description("Config reload attempts by outcome")
			.tag("config", "routes")
			.tag("result", result)
			.register(meters);
	}

	void apply(ConfigFiles files) {
		RouteConfig config;
		try {
			config = loader.load(files);
		}
		catch (ConfigRejectedException ex) {
			currentRejected = true;
			lastRejection.set(new Rejection(files.version(), clock.instant(), ex.problems()));
			rejected.increment();
			logger.warn("Route config " + files.version() + " rejected, last good config "
					+ (locator.live() == null ? "(none yet)" : locator.live().version()) + " stays live: "
					+ ex.getMessage());
			return;
		}
		locator.swap(config);
		publisher.publishEvent(new RefreshRoutesEvent(this));
		currentRejected = false;
		applied.increment();
		logger.info("Route config " + config.version() + " applied: " + config.routes().size() + " routes "
				+ config.routes().stream().map(r -> r.plan().toString()).toList());
	}

	/** Reads the directory now; used at startup and by tests that must not wait for a poll. */
	public void reloadNow() {
		try {
			watcher.check();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read route directory " + properties.dir(), ex);
		}
	}

	public Rejection lastRejection() {
		return lastRejection.get();
	}

	public double appliedCount() {
		return applied.count();
	}

	public double rejectedCount() {
		return rejected.count();
	}

	@Override
	public void start() {
		try {
			watcher.check();
		}
		catch (IOException ex) {
			logger.error("Cannot read route directory " + properties.dir() + "; readiness stays DOWN until it can", ex);
		}
		watcher.start(properties.pollInterval());
		running = true;
	}

	@Override
	public void stop() {
		watcher.close();
		running = false;
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	/** The most recent rejected version, when and why. */
	public record Rejection(String version, Instant at, List<ConfigProblem> problems) {
	}

}
