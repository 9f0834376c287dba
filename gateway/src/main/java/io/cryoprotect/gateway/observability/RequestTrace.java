package io.cryoprotect.gateway.observability;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

import io.cryoprotect.gateway.errors.ProblemException;

import org.springframework.web.server.ServerWebExchange;

/**
 * The per-request record of phase timings and outcome that the observers read when the
 * request ends. Filters of later features add their phase with
 * {@link #record(ServerWebExchange, Phase, long)}.
 */
public final class RequestTrace {

	static final String ATTR = RequestTrace.class.getName();

	/**
	 * The phases of the slow-request breakdown; those no filter measured are reported
	 * absent.
	 */
	public enum Phase {

		/**
		 * From the first filter to the route's first global filter: request id, edge
		 * limits, route lookup.
		 */
		EDGE("edgeMs"),
		/** JWT and caller key; set by the identity filter. */
		IDENTITY("identityMs"),
		/** Bucket lookup and consume; set by the rate-limit filter. */
		RATE_LIMIT("rateLimitMs"),
		/** Body read and JSON Schema check; set by the validation filter. */
		VALIDATION("validationMs"),
		/**
		 * Waiting for a connection from the upstream colour's pool, summed over attempts
		 * ({@link UpstreamPhases}).
		 */
		POOL_ACQUIRE("poolAcquireMs"),
		/**
		 * TCP connect to the upstream when the pool opened a new connection, summed over
		 * attempts.
		 */
		CONNECT("connectMs"),
		/**
		 * From the request sent to the upstream's response headers, summed over attempts.
		 */
		FIRST_BYTE("firstByteMs"),
		/** From the last response headers to the end of the response body. */
		BODY("bodyMs");

		private final String field;

		Phase(String field) {
			this.field = field;
		}

		String field() {
			return field;
		}

	}

	final long startNanos;

	private static final Phase[] PHASES = Phase.values();

	/** A phase no filter measured. */
	private static final long ABSENT = Long.MIN_VALUE;

	/**
	 * Nanoseconds per phase, by ordinal. Lock-free: the phases of one request are added
	 * from the request's event loop and the upstream connection's, where a monitor would
	 * be inflated.
	 */
	private final AtomicLongArray phases = new AtomicLongArray(PHASES.length);

	private volatile long headersAtNanos;

	private volatile long bytes;

	private volatile ProblemException problem;

	private volatile boolean deferred;

	private volatile boolean clientGone;

	RequestTrace(long startNanos) {
		this.startNanos = startNanos;
		for (int i = 0; i < PHASES.length; i++) {
			phases.set(i, ABSENT);
		}
	}

	/**
	 * Adds {@code nanos} to a phase of this exchange; a no-op for exchanges without a
	 * trace (e.g. unit tests).
	 */
	public static void record(ServerWebExchange exchange, Phase phase, long nanos) {
		RequestTrace trace = exchange.getAttribute(ATTR);
		if (trace != null) {
			trace.add(phase, nanos);
		}
	}

	static RequestTrace of(ServerWebExchange exchange) {
		return exchange.getAttribute(ATTR);
	}

	void add(Phase phase, long nanos) {
		int i = phase.ordinal();
		long current;
		do {
			current = phases.get(i);
		}
		while (!phases.compareAndSet(i, current, current == ABSENT ? nanos : current + nanos));
	}

	/** The measured phases and their nanoseconds. */
	Map<Phase, Long> phases() {
		Map<Phase, Long> measured = new EnumMap<>(Phase.class);
		for (Phase phase : PHASES) {
			long value = phases.get(phase.ordinal());
			if (value != ABSENT) {
				measured.put(phase, value);
			}
		}
		return measured;
	}

	void headersAt(long nanos) {
		headersAtNanos = nanos;
	}

	long headersAtNanos() {
		return headersAtNanos;
	}

	void addBytes(long count) {
		bytes += count;
	}

	long bytes() {
		return bytes;
	}

	void problem(ProblemException problem) {
		this.problem = problem;
	}

	ProblemException problem() {
		return problem;
	}

	/**
	 * Whether the request is recorded when the error handler commits its answer rather
	 * than when the chain ends.
	 */
	void deferred(boolean value) {
		deferred = value;
	}

	boolean deferred() {
		return deferred;
	}

	/**
	 * The client had closed its connection when the answer was to be written: nothing
	 * reached it.
	 */
	void clientGone() {
		clientGone = true;
	}

	boolean isClientGone() {
		return clientGone;
	}

}
