package io.cryoprotect.gateway.configfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.SmartLifecycle;

/**
 * Keeps one piece of file-based config (routes, or one policy in {@code filters-conf/})
 * in step with its directory: each new version of the files is loaded off the event loop
 * and handed to {@code onApply} whole if valid, or rejected whole with the last good
 * version left live. Outcomes are counted as
 * {@code gateway_config_reloads_total{config,result}}, and
 * {@code gateway_config_rejected{config}} is 1 while the files on disk are rejected.
 *
 * <p>
 * A policy that names routes is checked against the live route set too: a version naming
 * a route that does not exist is rejected whole, and a version loaded before the first
 * route set is live waits for it. When the route set changes, a version waiting or
 * rejected for its route ids is checked again and applies once they exist; a live version
 * whose routes were removed stays live and is reported.
 *
 * @param <T> the validated, ready-to-serve form of the config
 */
public class ConfigReloader<T> implements InitializingBean, SmartLifecycle, DisposableBean {

	private static final Log logger = LogFactory.getLog(ConfigReloader.class);

	/** Turns the files into a ready config, or throws {@link ConfigRejectedException}. */
	@FunctionalInterface
	public interface Loader<T> {

		T load(ConfigFiles files);

	}

	/**
	 * The live config: its value, the version hash of the files and when it was applied.
	 */
	public record Loaded<T>(T value, String version, Instant loadedAt) {
	}

	/** The most recent rejected version, when and why. */
	public record Rejection(String version, Instant at, List<ConfigProblem> problems) {
	}

	private final String name;

	private final String dir;

	private final Duration pollInterval;

	private final Loader<T> loader;

	private final Consumer<T> onApply;

	private final LiveRouteIds routeIds;

	private final Function<T, List<RouteReference>> references;

	private final Clock clock;

	private final Counter applied;

	private final Counter rejected;

	private final ConfigDirectoryWatcher watcher;

	private final AtomicReference<Loaded<T>> live = new AtomicReference<>();

	private final AtomicReference<Rejection> lastRejection = new AtomicReference<>();

	private volatile boolean currentRejected;

	private volatile boolean running;

	/**
	 * The newest loaded version held back by its route ids: before the first route set,
	 * or naming unknown routes.
	 */
	private Prepared<T> awaitingRoutes;

	private volatile List<ConfigProblem> orphaned = List.of();

	private CompletableFuture<Prepared<T>> firstLoad;

	public ConfigReloader(String name, String dir, Duration pollInterval, Predicate<String> include, Loader<T> loader,
			Consumer<T> onApply, MeterRegistry meters, Clock clock) {
		this(name, dir, pollInterval, include, loader, null, null, onApply, meters, clock);
	}

	/**
	 * A reloader for a policy that names routes.
	 * @param routeIds the live route ids its versions are checked against
	 * @param references the route ids a loaded version names, each where it is written
	 */
	public ConfigReloader(String name, String dir, Duration pollInterval, Predicate<String> include, Loader<T> loader,
			LiveRouteIds routeIds, Function<T, List<RouteReference>> references, Consumer<T> onApply,
			MeterRegistry meters, Clock clock) {
		this.name = name;
		this.dir = dir;
		this.pollInterval = pollInterval;
		this.loader = loader;
		this.onApply = onApply;
		this.routeIds = routeIds;
		this.references = references;
		this.clock = clock;
		this.applied = reloads(meters, name, "applied");
		this.rejected = reloads(meters, name, "rejected");
		Gauge.builder("gateway.config.rejected", () -> currentRejected ? 1 : 0)
			.description("1 while the files on disk are rejected and an older config is live")
			.tag("config", name)
			.register(meters);
		this.watcher = new ConfigDirectoryWatcher(dir, include, this::apply);
	}

	private static Counter reloads(MeterRegistry meters, String name, String result) {
		return Counter.builder("gateway.config.reloads")
			.description("Config reload attempts by outcome")
			.tag("config", name)
			.tag("result", result)
			.register(meters);
	}

	/** A version of the files, loaded: its value, or why it was rejected. */
	private record Prepared<T>(ConfigFiles files, T value, ConfigRejectedException rejection) {
	}

	private Prepared<T> prepare(ConfigFiles files) {
		try {
			return new Prepared<>(files, loader.load(files), null);
		}
		catch (ConfigRejectedException ex) {
			return new Prepared<>(files, null, ex);
		}
	}

	private void apply(ConfigFiles files) {
		apply(prepare(files));
	}

	private synchronized void apply(Prepared<T> prepared) {
		ConfigFiles files = prepared.files();
		ConfigRejectedException ex = prepared.rejection();
		awaitingRoutes = null;
		if (ex == null && references != null) {
			LiveRouteIds.Names ids = routeIds.get();
			if (ids == null) {
				// Routes load on their own thread: the route ids are checked once the
				// first route set is live.
				awaitingRoutes = prepared;
				logger.info("Config '" + name + "' version " + files.version()
						+ " waits for the first route set to check the route ids it names");
				return;
			}
			List<ConfigProblem> unknown = unknownRoutes(prepared.value(), ids);
			if (!unknown.isEmpty()) {
				awaitingRoutes = prepared;
				ex = new ConfigRejectedException(unknown);
			}
		}
		if (ex != null) {
			currentRejected = true;
			lastRejection.set(new Rejection(files.version(), clock.instant(), ex.problems()));
			rejected.increment();
			Loaded<T> current = live.get();
			logger.warn("Config '" + name + "' version " + files.version() + " rejected, last good version "
					+ (current == null ? "(none yet)" : current.version()) + " stays live: " + ex.getMessage());
			return;
		}
		T value = prepared.value();
		// Live first: whatever onApply sets off (a route refresh and the health probes it
		// re-plans) reads the new config.
		live.set(new Loaded<>(value, files.version(), clock.instant()));
		orphaned = List.of();
		onApply.accept(value);
		currentRejected = false;
		applied.increment();
		logger.info("Config '" + name + "' version " + files.version() + " applied: " + value);
	}

	/**
	 * A new route set is live: the version held back by its route ids is checked again
	 * (and applies if they all exist now), and a live version naming removed routes is
	 * reported once per change.
	 */
	private synchronized void routesChanged(LiveRouteIds.Names ids) {
		Prepared<T> waiting = awaitingRoutes;
		if (waiting != null) {
			List<ConfigProblem> unknown = unknownRoutes(waiting.value(), ids);
			Rejection last = lastRejection.get();
			boolean sameVerdict = last != null && last.version().equals(waiting.files().version())
					&& last.problems().equals(unknown);
			if (!sameVerdict) {
				apply(waiting);
			}
		}
		Loaded<T> current = live.get();
		List<ConfigProblem> unknown = current == null ? List.of() : unknownRoutes(current.value(), ids);
		if (!unknown.equals(orphaned)) {
			orphaned = unknown;
			if (!unknown.isEmpty()) {
				logger.warn("Config '" + name + "' version " + current.version()
						+ " stays live but names routes or route files that no longer exist; its policies for them apply to nothing: "
						+ new ConfigRejectedException(unknown).getMessage());
			}
		}
	}

	private List<ConfigProblem> unknownRoutes(T value, LiveRouteIds.Names ids) {
		return references.apply(value)
			.stream()
			.filter(reference -> !reference.resolvesIn(ids))
			.map(RouteReference::unknown)
			.distinct()
			.toList();
	}

	/** Reads the directory now; used by tests that must not wait for a poll. */
	public void reloadNow() {
		try {
			watcher.check();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read config directory " + dir, ex);
		}
	}

	public String name() {
		return name;
	}

	public String dir() {
		return dir;
	}

	/** The live config, or null before a valid one loaded. */
	public Loaded<T> live() {
		return live.get();
	}

	/**
	 * The one way a consumer reads this config: each {@code get()} returns the value live
	 * at that moment, or null before a valid version loaded. Cheap enough to call per
	 * request.
	 */
	public Supplier<T> asSupplier() {
		return () -> {
			Loaded<T> loaded = live.get();
			return loaded == null ? null : loaded.value();
		};
	}

	public Rejection lastRejection() {
		return lastRejection.get();
	}

	/** Whether this config names routes, and so is checked against the live route set. */
	public boolean referencesRoutes() {
		return references != null;
	}

	/**
	 * Whether no version can apply yet because no route set is live to check its route
	 * ids against.
	 */
	public boolean waitingForRoutes() {
		return references != null && routeIds.get() == null;
	}

	/**
	 * Where the live version names routes or route files that no longer exist, one
	 * problem each; empty when none.
	 */
	public List<ConfigProblem> orphanedRouteReferences() {
		return orphaned;
	}

	public long appliedCount() {
		return (long) applied.count();
	}

	public long rejectedCount() {
		return (long) rejected.count();
	}

	/**
	 * Begins the first load (reading and parsing the files, compiling schemas) on the
	 * watcher's thread as soon as this bean exists, so that it runs while the main thread
	 * builds the rest of the context (measured: about 5% sooner ready, bench/NOTES.md);
	 * {@link #start()} applies it, in the lifecycle as before. Loaders only read their
	 * files and the beans they were given: a rejected version is thrown away, so loading
	 * has no effect until it is applied.
	 */
	@Override
	public void afterPropertiesSet() {
		if (routeIds != null) {
			routeIds.subscribe(this::routesChanged);
		}
		firstLoad = watcher.readAhead(this::prepare);
	}

	/** Applies the first load before the public port opens, then polls. */
	@Override
	public void start() {
		try {
			Prepared<T> first = firstLoad.join();
			watcher.seen(first.files());
			apply(first);
		}
		catch (CompletionException ex) {
			if (!(ex.getCause() instanceof UncheckedIOException unreadable)) {
				throw ex.getCause() instanceof RuntimeException runtime ? runtime : ex;
			}
			logger.error("Cannot read config directory " + dir + "; readiness stays DOWN until it can",
					unreadable.getCause());
		}
		watcher.start(pollInterval);
		running = true;
	}

	@Override
	public void stop() {
		watcher.close();
		running = false;
	}

	/**
	 * Also when the context failed before it started: the first load's thread is already
	 * there.
	 */
	@Override
	public void destroy() {
		watcher.close();
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	@Override
	public int getPhase() {
		// Before the web server starts (and after it stopped), so the first request finds
		// routes.
		return 0;
	}

}
