package io.cryoprotect.gateway.websocket;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import io.cryoprotect.gateway.errors.ProblemException;
import io.cryoprotect.gateway.errors.ProblemType;
import io.cryoprotect.gateway.observability.MeterCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import org.springframework.web.reactive.socket.CloseStatus;

/**
 * The proxied WebSockets that are open: their caps (in total and per caller), the idle
 * timeout, the close on drain, and their meters:
 * {@code gateway_websocket_connections{route}} (open now) and
 * {@code gateway_websocket_sessions_total{route,close}} (ended, by what ended them:
 * {@code client} or {@code upstream} sent a close frame, the gateway closed it as
 * {@code idle} or on {@code drain}, or {@code error}: the upstream was unreachable or a
 * connection dropped without a close frame).
 * <p>
 * Each admitted upgrade holds a {@link Lease} from before the handshake until its session
 * ends. Time is the scheduler's (a virtual one in tests), and the idle timer is one task
 * per idle period, not per frame: a frame only notes the time, and the timer, when due,
 * re-arms for the rest of the period if a frame came in between.
 */
public final class WebSocketSessions {

	/**
	 * Sent to both ends when the gateway drains for shutdown, so clients reconnect
	 * elsewhere.
	 */
	static final CloseStatus DRAINED = CloseStatus.GOING_AWAY.withReason("going away");

	/** Sent to both ends of a socket with no frame either way for the idle timeout. */
	static final CloseStatus IDLE = CloseStatus.GOING_AWAY.withReason("idle timeout");

	/** When a refused upgrade may be tried again. */
	private static final long RETRY_AFTER_SECONDS = 5;

	private record EndedKey(String route, String close) {
	}

	private final Scheduler scheduler;

	private final long idleNanos;

	private final int maxConnections;

	private final int maxPerCaller;

	private final MeterRegistry meters;

	private final AtomicInteger total = new AtomicInteger();

	private final Map<String, Integer> perCaller = new ConcurrentHashMap<>();

	private final Map<String, AtomicInteger> perRoute = new ConcurrentHashMap<>();

	private final MeterCache<EndedKey, Counter> ended;

	private final Set<Lease> open = ConcurrentHashMap.newKeySet();

	private volatile boolean draining;

	WebSocketSessions(WebSocketProperties properties, MeterRegistry meters, Scheduler scheduler) {
		this.scheduler = scheduler;
		this.idleNanos = properties.idleTimeout().toNanos();
		this.maxConnections = properties.maxConnections();
		this.maxPerCaller = properties.maxConnectionsPerCaller();
		this.meters = meters;
		this.ended = new MeterCache<>(k -> Counter.builder("gateway.websocket.sessions")
			.description("Proxied WebSocket sessions ended, by what ended them")
			.tag("route", k.route())
			.tag("close", k.close())
			.register(meters));
	}

	/**
	 * A place for one more socket of {@code caller} on {@code route}, or a refusal: 503
	 * when the gateway holds its total or is draining, 429 when the caller holds its
	 * share.
	 */
	Lease admit(String route, String caller) {
		if (draining) {
			throw refused(ProblemType.UPSTREAM_SATURATED,
					"The gateway is shutting down; connect again to another instance.");
		}
		if (total.incrementAndGet() > maxConnections) {
			total.decrementAndGet();
			throw refused(ProblemType.UPSTREAM_SATURATED,
					"The gateway holds its maximum of " + maxConnections + " open WebSockets.");
		}
		AtomicBoolean admitted = new AtomicBoolean();
		perCaller.compute(caller, (key, count) -> {
			int current = count == null ? 0 : count;
			if (current >= maxPerCaller) {
				return count;
			}
			admitted.set(true);
			return current + 1;
		});
		if (!admitted.get()) {
			total.decrementAndGet();
			throw refused(ProblemType.RATE_LIMITED,
					"This caller already holds its maximum of " + maxPerCaller + " open WebSockets.");
		}
		return new Lease(route, caller);
	}

	/**
	 * Drain: refuses new upgrades and sends every open socket, at both ends, a close
	 * frame 1001 "going away". Completes once the frames are sent.
	 */
	public Mono<Void> goAway() {
		draining = true;
		List<Mono<Void>> closes = open.stream().map(lease -> lease.close(DRAINED, "drain")).toList();
		return Mono.when(closes);
	}

	/** Sockets open now. */
	public int openCount() {
		return open.size();
	}

	private static ProblemException refused(ProblemType type, String detail) {
		return new ProblemException(type, detail, Map.of(), RETRY_AFTER_SECONDS, null);
	}

	private long now() {
		return scheduler.now(TimeUnit.NANOSECONDS);
	}

	private AtomicInteger connections(String route) {
		return perRoute.computeIfAbsent(route, r -> {
			AtomicInteger count = new AtomicInteger();
			Gauge.builder("gateway.websocket.connections", count, AtomicInteger::get)
				.description("Proxied WebSockets open now")
				.tag("route", r)
				.register(meters);
			return count;
		});
	}

	/** One admitted socket, from before its handshake to the end of its session. */
	final class Lease {

		private final String route;

		private final String caller;

		private final AtomicBoolean released = new AtomicBoolean();

		private final AtomicReference<String> endedBy = new AtomicReference<>();

		private volatile boolean started;

		private volatile Function<CloseStatus, Mono<Void>> client;

		private volatile Function<CloseStatus, Mono<Void>> upstream;

		private volatile CloseStatus closing;

		private volatile long lastFrame;

		private volatile Disposable timer;

		private Lease(String route, String caller) {
			this.route = route;
			this.caller = caller;
		}

		/**
		 * The handshake with the client is done; {@code closeClient} closes its socket.
		 */
		void start(Function<CloseStatus, Mono<Void>> closeClient) {
			client = closeClient;
			started = true;
			lastFrame = now();
			open.add(this);
			connections(route).incrementAndGet();
			arm(idleNanos);
			if (draining) {
				// Opened while the drain was closing the others.
				close(DRAINED, "drain").subscribe();
			}
		}

		/** The upstream accepted its upgrade; {@code closeUpstream} closes its socket. */
		void upstream(Function<CloseStatus, Mono<Void>> closeUpstream) {
			upstream = closeUpstream;
			CloseStatus status = closing;
			if (status != null) {
				closeUpstream.apply(status).onErrorComplete().subscribe();
			}
		}

		/** A frame passed, either way. */
		void frame() {
			lastFrame = now();
		}

		/** Notes what ended the session, unless something already did. */
		void endedBy(String reason) {
			endedBy.compareAndSet(null, reason);
		}

		/**
		 * Closes both ends with {@code status}; completes when the close frames are sent.
		 */
		Mono<Void> close(CloseStatus status, String reason) {
			endedBy(reason);
			closing = status;
			Function<CloseStatus, Mono<Void>> toClient = client;
			Function<CloseStatus, Mono<Void>> toUpstream = upstream;
			return Mono.when(toClient == null ? Mono.empty() : toClient.apply(status).onErrorComplete(),
					toUpstream == null ? Mono.empty() : toUpstream.apply(status).onErrorComplete());
		}

		/**
		 * The status the gateway is closing this socket with, or null. The relay
		 * finishing one direction (its source end closed) would close the other end with
		 * an empty close frame, ahead of the gateway's own when that end's write is still
		 * queued: the relay sends this status instead.
		 */
		CloseStatus closing() {
			return closing;
		}

		/** The session is over: frees its place and counts it by what ended it. */
		void end() {
			if (!released.compareAndSet(false, true)) {
				return;
			}
			Disposable pending = timer;
			if (pending != null) {
				pending.dispose();
			}
			open.remove(this);
			connections(route).decrementAndGet();
			String reason = endedBy.get();
			ended.get(new EndedKey(route, reason == null ? "error" : reason)).increment();
			free();
		}

		/**
		 * The upgrade failed before any session: frees the place, counting no session.
		 */
		void abandon() {
			if (!started && released.compareAndSet(false, true)) {
				free();
			}
		}

		private void free() {
			total.decrementAndGet();
			perCaller.compute(caller, (key, count) -> count == null || count <= 1 ? null : count - 1);
		}

		private void arm(long delayNanos) {
			timer = scheduler.schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
		}

		private void checkIdle() {
			if (released.get()) {
				return;
			}
			long silent = now() - lastFrame;
			if (silent >= idleNanos) {
				close(IDLE, "idle").subscribe();
			}
			else {
				arm(idleNanos - silent);
			}
		}

	}

}
