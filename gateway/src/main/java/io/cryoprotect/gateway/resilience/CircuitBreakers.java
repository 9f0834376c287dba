package io.cryoprotect.gateway.resilience;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.cryoprotect.gateway.support.UpstreamTarget;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * One Resilience4j breaker per upstream colour, rebuilt only when its settings change.
 * Exposes state as {@code gateway_circuit_breaker_state{upstream,state}} (1 for the
 * current state) and remembers when each opened, to tell clients how long to wait.
 */
final class CircuitBreakers {

	private static final Log logger = LogFactory.getLog(CircuitBreakers.class);

	private final Clock clock;

	private final MeterRegistry meters;

	private final Map<String, Entry> breakers = new ConcurrentHashMap<>();

	private record Entry(ResilienceConfig.BreakerSettings settings, CircuitBreaker breaker, Instant[] openedAt) {
	}

	CircuitBreakers(Clock clock, MeterRegistry meters) {
		this.clock = clock;
		this.meters = meters;
	}

	CircuitBreaker get(UpstreamTarget target, ResilienceConfig.BreakerSettings settings) {
		Entry entry = breakers.get(target.key());
		if (entry == null || !entry.settings().equals(settings)) {
			entry = breakers.compute(target.key(), (key, old) -> old != null && old.settings().equals(settings) ? old
					: create(key, settings, old == null));
		}
		return entry.breaker();
	}

	/** Whole seconds until an open breaker lets a trial call through; at least 1. */
	long retryAfterSeconds(UpstreamTarget target) {
		Entry entry = breakers.get(target.key());
		if (entry == null || entry.openedAt()[0] == null) {
			return 1;
		}
		Duration left = entry.settings()
			.waitInOpenState()
			.minus(Duration.between(entry.openedAt()[0], clock.instant()));
		return Math.max(1, (left.toMillis() + 999) / 1000);
	}

	/**
	 * Closes every breaker and forgets its calls and when it opened, as if just built:
	 * tests that share one gateway call it between them, so no test starts with a breaker
	 * another one filled.
	 */
	void reset() {
		breakers.values().forEach(entry -> {
			entry.breaker().reset();
			entry.openedAt()[0] = null;
		});
	}

	/** Breaker states for the status endpoint. */
	Map<String, String> states() {
		Map<String, String> states = new LinkedHashMap<>();
		breakers.forEach((key, entry) -> states.put(key, entry.breaker().getState().name()));
		return states;
	}

	private Entry create(String key, ResilienceConfig.BreakerSettings s, boolean registerGauges) {
		CircuitBreakerConfig config = CircuitBreakerConfig.custom()
			.failureRateThreshold(s.failureRateThreshold())
			.slowCallRateThreshold(s.slowCallRateThreshold())
			.slowCallDurationThreshold(s.slowCallDuration())
			.slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
			.slidingWindowSize(s.slidingWindowSize())
			.minimumNumberOfCalls(s.minimumNumberOfCalls())
			.waitDurationInOpenState(s.waitInOpenState())
			.permittedNumberOfCallsInHalfOpenState(s.permittedCallsInHalfOpenState())
			.clock(clock)
			.build();
		CircuitBreaker breaker = CircuitBreaker.of(key, config);
		Instant[] openedAt = new Instant[1];
		breaker.getEventPublisher().onStateTransition(event -> {
			if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
				openedAt[0] = clock.instant();
			}
			logger.warn("Circuit breaker " + key + ": " + event.getStateTransition());
		});
		if (registerGauges) {
			for (CircuitBreaker.State state : new CircuitBreaker.State[] { CircuitBreaker.State.CLOSED,
					CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN }) {
				Gauge
					.builder("gateway.circuit.breaker.state",
							() -> breakers.get(key) != null && breakers.get(key).breaker().getState() == state ? 1 : 0)
					.description("1 for the breaker's current state")
					.tag("upstream", key)
					.tag("state", state.name().toLowerCase())
					.register(meters);
			}
		}
		return new Entry(s, breaker, openedAt);
	}

}
