package io.cryoprotect.gateway.resilience;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import io.cryoprotect.gateway.support.MutableClock;
import io.cryoprotect.gateway.support.UpstreamTarget;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CircuitBreakers} on a hand-moved clock: open, half-open, closed and the
 * Retry-After they advertise.
 */
class CircuitBreakersTests {

	private static final UpstreamTarget BLUE = new UpstreamTarget("flask-api", "blue", "http://127.0.0.1:1");

	/** Opens at 50% failures once 4 calls are in; one trial call after 30 s. */
	private static final ResilienceConfig.BreakerSettings SETTINGS = new ResilienceConfig.BreakerSettings(50, 100,
			Duration.ofSeconds(10), 4, 4, Duration.ofSeconds(30), 1);

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final CircuitBreakers breakers = new CircuitBreakers(clock, meters);

	private static void fail(CircuitBreaker breaker, int times) {
		for (int i = 0; i < times; i++) {
			assertThat(breaker.tryAcquirePermission()).isTrue();
			breaker.onError(1, TimeUnit.MILLISECONDS, new IllegalStateException("refused"));
		}
	}

	private static void succeed(CircuitBreaker breaker, int times) {
		for (int i = 0; i < times; i++) {
			assertThat(breaker.tryAcquirePermission()).isTrue();
			breaker.onSuccess(1, TimeUnit.MILLISECONDS);
		}
	}

	private double gauge(String state) {
		return meters.get("gateway.circuit.breaker.state")
			.tag("upstream", "flask-api/blue")
			.tag("state", state)
			.gauge()
			.value();
	}

	@Test
	void opensAtTheFailureRateOnceTheMinimumOfCallsIsIn() {
		CircuitBreaker breaker = breakers.get(BLUE, SETTINGS);
		succeed(breaker, 1);
		fail(breaker, 2);
		assertThat(breaker.getState()).as("3 calls, below the minimum of 4").isEqualTo(State.CLOSED);
		fail(breaker, 1);
		assertThat(breaker.getState()).as("3 failures in 4").isEqualTo(State.OPEN);
		assertThat(breaker.tryAcquirePermission()).isFalse();
		assertThat(breakers.states()).containsEntry("flask-api/blue", "OPEN");
		assertThat(gauge("open")).isEqualTo(1);
		assertThat(gauge("closed")).isZero();
	}

	@Test
	void retryAfterCountsDownTheWaitInWholeSecondsRoundedUp() {
		assertThat(breakers.retryAfterSeconds(BLUE)).as("no breaker yet").isEqualTo(1);
		CircuitBreaker breaker = breakers.get(BLUE, SETTINGS);
		assertThat(breakers.retryAfterSeconds(BLUE)).as("never opened").isEqualTo(1);
		fail(breaker, 4);
		assertThat(breakers.retryAfterSeconds(BLUE)).isEqualTo(30);
		clock.advance(Duration.ofMillis(10_500));
		assertThat(breakers.retryAfterSeconds(BLUE)).isEqualTo(20);
		clock.advance(Duration.ofMillis(19_200));
		assertThat(breakers.retryAfterSeconds(BLUE)).as("0.3 s left").isEqualTo(1);
		clock.advance(Duration.ofSeconds(5));
		assertThat(breakers.retryAfterSeconds(BLUE)).as("overdue: never 0").isEqualTo(1);
	}

	@Test
	void afterTheWaitOneTrialCallDecidesBetweenClosedAndOpenAgain() {
		CircuitBreaker breaker = breakers.get(BLUE, SETTINGS);
		fail(breaker, 4);
		clock.advance(Duration.ofSeconds(30));
		assertThat(breaker.tryAcquirePermission()).as("exactly at the end of the wait").isFalse();
		clock.advance(Duration.ofMillis(1));
		assertThat(breaker.tryAcquirePermission()).as("the trial call").isTrue();
		assertThat(breaker.getState()).isEqualTo(State.HALF_OPEN);
		assertThat(gauge("half_open")).isEqualTo(1);
		assertThat(breaker.tryAcquirePermission()).as("one trial call at a time").isFalse();

		// The trial fails: open again, with the whole wait ahead.
		breaker.onError(1, TimeUnit.MILLISECONDS, new IllegalStateException("still refused"));
		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		assertThat(breakers.retryAfterSeconds(BLUE)).isEqualTo(30);

		clock.advance(Duration.ofSeconds(31));
		succeed(breaker, 1);
		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
		assertThat(gauge("closed")).isEqualTo(1);
		assertThat(gauge("open")).isZero();
	}

	@Test
	void slowCallsOpenTheBreakerLikeFailures() {
		CircuitBreaker breaker = breakers.get(BLUE, SETTINGS);
		for (int i = 0; i < 4; i++) {
			assertThat(breaker.tryAcquirePermission()).isTrue();
			breaker.onSuccess(Duration.ofSeconds(11).toMillis(), TimeUnit.MILLISECONDS);
		}
		assertThat(breaker.getState()).as("4 of 4 calls slower than 10 s").isEqualTo(State.OPEN);
	}

	@Test
	void aBreakerIsKeptUntilItsSettingsChange() {
		CircuitBreaker breaker = breakers.get(BLUE, SETTINGS);
		fail(breaker, 4);
		assertThat(breakers.get(BLUE,
				new ResilienceConfig.BreakerSettings(50, 100, Duration.ofSeconds(10), 4, 4, Duration.ofSeconds(30), 1)))
			.isSameAs(breaker);
		CircuitBreaker rebuilt = breakers.get(BLUE,
				new ResilienceConfig.BreakerSettings(50, 100, Duration.ofSeconds(10), 8, 4, Duration.ofSeconds(30), 1));
		assertThat(rebuilt).isNotSameAs(breaker);
		assertThat(rebuilt.getState()).isEqualTo(State.CLOSED);
		assertThat(gauge("closed")).as("the gauges follow the new breaker").isEqualTo(1);
	}

	@Test
	void resetClosesEveryBreakerAndForgetsWhenItOpened() {
		CircuitBreaker breaker = breakers.get(BLUE, SETTINGS);
		fail(breaker, 4);
		breakers.reset();
		assertThat(breakers.get(BLUE, SETTINGS)).isSameAs(breaker);
		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
		assertThat(breakers.retryAfterSeconds(BLUE)).isEqualTo(1);
		fail(breaker, 3);
		assertThat(breaker.getState()).as("the calls before the reset are forgotten").isEqualTo(State.CLOSED);
	}

}
