package io.cryoprotect.gateway.resilience;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.cryoprotect.gateway.routing.RouteConfig;
import io.cryoprotect.gateway.routing.UpstreamColour;
import io.cryoprotect.gateway.routing.UpstreamHealth;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelOption;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

/**
 * Probes every colour of every routed upstream on its health path (Flask and RDKit
 * {@code /health}; a 2xx, including Flask's 207 "degraded", is healthy) and flips a
 * colour to unhealthy after {@code unhealthyThreshold} failed probes in a row, back after
 * {@code healthyThreshold} good ones. The colour pick then skips it. Probes are rebuilt
 * when routes or policies change; state survives for colours that stay, and
 * {@code gateway_upstream_healthy{upstream}} is removed for colours no longer probed.
 */
final class ActiveHealthChecks
		implements UpstreamHealth, SmartLifecycle, ApplicationListener<RefreshRoutesResultEvent> {

	private static final Log logger = LogFactory.getLog(ActiveHealthChecks.class);

	private final Supplier<RouteConfig> routes;

	private final Supplier<ResilienceConfig> policies;

	private final MeterRegistry meters;

	private final ConnectionProvider connections = ConnectionProvider.builder("health-checks")
		.maxConnections(50)
		.maxIdleTime(Duration.ofSeconds(1))
		.build();

	private final Map<String, Probe> probes = new ConcurrentHashMap<>();

	private final Map<String, State> states = new ConcurrentHashMap<>();

	private volatile boolean running;

	/**
	 * Consecutive probe results of one colour, its verdict, and the gauge that shows it.
	 */
	private static final class State {

		final Gauge gauge;

		volatile boolean healthy = true;

		int successes;

		int failures;

		State(Gauge gauge) {
			this.gauge = gauge;
		}

	}

	private record Probe(String origin, ResilienceConfig.HealthCheckSettings settings, Disposable task) {
	}

	ActiveHealthChecks(Supplier<RouteConfig> routes, Supplier<ResilienceConfig> policies, MeterRegistry meters) {
		this.routes = routes;
		this.policies = policies;
		this.meters = meters;
	}

	@Override
	public boolean isHealthy(String service, String colour) {
		State state = states.get(service + "/" + colour);
		return state == null || state.healthy;
	}

	/** Health verdicts for the status endpoint. */
	Map<String, String> verdicts() {
		Map<String, String> out = new LinkedHashMap<>();
		probes.keySet()
			.stream()
			.sorted()
			.forEach(key -> out.put(key, states.get(key).healthy ? "HEALTHY" : "UNHEALTHY"));
		return out;
	}

	@Override
	public void onApplicationEvent(RefreshRoutesResultEvent event) {
		reconcile();
	}

	/** Starts, restarts or stops probes so they match the live routes and policies. */
	synchronized void reconcile() {
		RouteConfig routeConfig = routes.get();
		ResilienceConfig policy = policies.get();
		if (!running || routeConfig == null || policy == null) {
			return;
		}
		Map<String, Probe> wanted = new HashMap<>();
		for (RouteConfig.LoadedRoute route : routeConfig.routes()) {
			ResilienceConfig.HealthCheckSettings settings = policy.upstream(route.service()).healthCheck();
			if (!settings.enabled()) {
				continue;
			}
			for (UpstreamColour colour : route.plan().colours()) {
				wanted.put(route.service() + "/" + colour.name(), new Probe(colour.origin(), settings, null));
			}
		}
		probes.forEach((key, probe) -> {
			Probe next = wanted.get(key);
			if (next == null || !next.origin().equals(probe.origin()) || !next.settings().equals(probe.settings())) {
				probe.task().dispose();
				probes.remove(key);
			}
		});
		wanted.forEach((key, probe) -> probes.computeIfAbsent(key, k -> start(k, probe.origin(), probe.settings())));
		// A colour no longer probed (deleted, or its checks turned off) has no verdict:
		// its series goes too.
		states.forEach((key, state) -> {
			if (!probes.containsKey(key)) {
				states.remove(key);
				meters.remove(state.gauge);
			}
		});
	}

	private Probe start(String key, String origin, ResilienceConfig.HealthCheckSettings settings) {
		State state = states.computeIfAbsent(key, k -> new State(Gauge.builder("gateway.upstream.healthy", () -> {
			State current = states.get(k);
			return current == null || current.healthy ? 1 : 0;
		})
			.description("1 while the upstream colour passes its active health check")
			.tag("upstream", k)
			.register(meters)));
		HttpClient client = HttpClient.create(connections)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
					(int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis()))
			.baseUrl(origin);
		Disposable task = Flux.interval(Duration.ZERO, settings.interval())
			// A probe slower than the interval skips ticks instead of ending the schedule
			// with an overflow.
			.onBackpressureDrop()
			.concatMap(tick -> probe(client, settings), 0)
			.subscribe(ok -> record(key, state, settings, ok),
					error -> logger.error("Health checks of " + key + " stopped", error));
		return new Probe(origin, settings, task);
	}

	private static Mono<Boolean> probe(HttpClient client, ResilienceConfig.HealthCheckSettings settings) {
		return client.get()
			.uri(settings.path())
			.responseSingle((response, body) -> body.then(Mono.just(response.status().code() / 100 == 2)))
			.timeout(settings.timeout())
			.onErrorReturn(false);
	}

	private void record(String key, State state, ResilienceConfig.HealthCheckSettings settings, boolean ok) {
		synchronized (state) {
			if (ok) {
				state.failures = 0;
				state.successes++;
				if (!state.healthy && state.successes >= settings.healthyThreshold()) {
					state.healthy = true;
					logger.warn("Upstream " + key + " passes its health check again: back in the colour pick");
				}
			}
			else {
				state.successes = 0;
				state.failures++;
				if (state.healthy && state.failures >= settings.unhealthyThreshold()) {
					state.healthy = false;
					logger.warn("Upstream " + key + " failed " + state.failures
							+ " health checks in a row: ejected from the colour pick");
				}
			}
		}
	}

	@Override
	public void start() {
		running = true;
		reconcile();
	}

	@Override
	public void stop() {
		running = false;
		probes.values().forEach(probe -> probe.task().dispose());
		probes.clear();
		connections.dispose();
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	/** After the config reloaders (phase 0) have loaded routes and policies. */
	@Override
	public int getPhase() {
		return 1;
	}

}
