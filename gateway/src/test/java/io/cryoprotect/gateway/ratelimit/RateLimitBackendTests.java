package io.cryoprotect.gateway.ratelimit;

import java.time.Duration;
import java.util.List;

import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Bandwidths;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Rate;
import io.cryoprotect.gateway.support.RedisServer;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RateLimitBackend}'s degrade, probe and resume machine against a real
 * {@code redis-server}, without a gateway: the probe is stepped by hand instead of on its
 * timer, and Redis is made to stop answering by pausing its writes, so each step's
 * outcome is known when it is taken.
 */
@Tag("slow")
class RateLimitBackendTests {

	/** Each probe or call gives up after 500 ms (the heartbeat after four times that). */
	private static final String LIMITS = """
			mode: enforce
			storage:
			  redis: {commandTimeout: 500ms, onFailure: local, retryInterval: 200ms, replicas: 1}
			limits:
			  shared:
			    key: ip
			    rates: [10/min]
			""";

	private static final Bandwidths TEN_A_MINUTE = Bandwidths.of(List.of(new Rate(10, Duration.ofMinutes(1), "1m")));

	private static RedisServer redis;

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private RateLimitBackend backend;

	@BeforeAll
	static void startRedis() {
		redis = new RedisServer();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@BeforeEach
	void backendNotStarted() {
		RateLimitConfig config = RateLimitConfigLoader.load("ratelimits.yml", LIMITS, null);
		backend = new RateLimitBackend(() -> config, redis.url(), TimeMeter.SYSTEM_NANOTIME,
				TimeMeter.SYSTEM_MILLISECONDS, meters);
	}

	@AfterEach
	void stopBackend() {
		redis.unpause();
		backend.stop();
	}

	private void probe() {
		backend.probeOnce().block(Duration.ofSeconds(30));
	}

	private Probe consume(String key) {
		return backend.consume(key, TEN_A_MINUTE, 1, Schedulers.parallel()).block(Duration.ofSeconds(30));
	}

	private double degradedGauge() {
		return meters.get("gateway.ratelimit.backend.degraded").gauge().value();
	}

	@Test
	void sharedLimitsStartOnlyAfterTwoGoodProbesInARow() {
		assertThat(backend.degraded()).isTrue();
		assertThat(backend.degradedReason()).isEqualTo("not connected yet");
		assertThat(consume("a").degraded()).as("decided locally until Redis is shared").isTrue();

		probe();
		assertThat(backend.degraded()).as("one good probe is not enough").isTrue();
		probe();
		assertThat(backend.degraded()).isFalse();
		assertThat(backend.degradedReason()).isNull();
		assertThat(degradedGauge()).isZero();

		Probe shared = consume("a");
		assertThat(shared.degraded()).isFalse();
		assertThat(shared.consumed()).isTrue();
		assertThat(shared.remaining()).as("a fresh shared bucket: the local decision did not count there").isEqualTo(9);
	}

	@Test
	void aCallWithoutAnswerDegradesAtOnceAndAFailedProbeRestartsTheCount() {
		probe();
		probe();
		assertThat(backend.degraded()).isFalse();

		redis.pause(Duration.ofMinutes(1));
		Probe fallback = consume("b");
		assertThat(fallback.degraded()).as("the command timeout gave up; the local bucket decided").isTrue();
		assertThat(fallback.consumed()).isTrue();
		assertThat(backend.degraded()).isTrue();
		assertThat(backend.degradedReason()).isEqualTo("no answer within the command timeout");
		assertThat(degradedGauge()).isEqualTo(1);
		assertThat(consume("b").degraded()).as("no second wait on Redis: decided locally at once").isTrue();

		probe();
		assertThat(backend.degraded()).as("Redis still paused").isTrue();
		redis.unpause();
		probe();
		assertThat(backend.degraded()).as("one good probe").isTrue();
		redis.pause(Duration.ofMinutes(1));
		probe();
		redis.unpause();
		probe();
		assertThat(backend.degraded()).as("good, bad, good: not two in a row").isTrue();
		probe();
		assertThat(backend.degraded()).as("two good probes in a row").isFalse();
		assertThat(degradedGauge()).isZero();
		assertThat(consume("b").degraded()).isFalse();
	}

}
