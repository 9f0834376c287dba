package io.cryoprotect.gateway.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Bandwidths;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Rate;
import io.cryoprotect.gateway.support.RedisServer;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code storage.redis.delayedSync} against a real {@code redis-server}: two replicas
 * (two backends, each with its own connection) take turns on one shared bucket of 100
 * tokens a minute, one request a millisecond on a clock the test moves. The documented
 * margin: a limit is exceeded by at most replicas × maxUnsyncedPercent of its capacity
 * (here 2 × 10), and the excess is repaid from the next refill, so over any longer
 * stretch the limit holds.
 */
class RedisDelayedSyncTests {

	private static final Bandwidths HUNDRED_A_MINUTE = Bandwidths
		.of(List.of(new Rate(100, Duration.ofMinutes(1), "1m")));

	private static final int REPLICAS = 2;

	/** maxUnsyncedPercent 10 of a capacity of 100. */
	private static final long MAX_UNSYNCED = 10;

	private static final long MARGIN = REPLICAS * MAX_UNSYNCED;

	private static final int ATTEMPTS = 400;

	private static RedisServer redis;

	/** The shared clock of both replicas; it moves only when the test moves it. */
	private final AtomicLong nanos = new AtomicLong(Duration.ofDays(20_000).toNanos());

	private final TimeMeter clock = new TimeMeter() {

		@Override
		public long currentTimeNanos() {
			return nanos.get();
		}

		@Override
		public boolean isWallClockBased() {
			return true;
		}

	};

	private final SimpleMeterRegistry firstMeters = new SimpleMeterRegistry();

	private final SimpleMeterRegistry secondMeters = new SimpleMeterRegistry();

	private RateLimitBackend first;

	private RateLimitBackend second;

	@BeforeAll
	static void startRedis() {
		redis = new RedisServer();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@AfterEach
	void stopReplicas() {
		first.stop();
		second.stop();
		redis.command("FLUSHALL");
	}

	private void replicas(String delayedSync) {
		String file = """
				mode: enforce
				storage:
				  redis: {commandTimeout: 1s, onFailure: deny, retryInterval: 1s, replicas: 2%s}
				limits:
				  shared:
				    key: ip
				    rates: [100/min]
				""".formatted(delayedSync);
		RateLimitConfig config = RateLimitConfigLoader.load("ratelimits.yml", file, null);
		first = new RateLimitBackend(() -> config, redis.url(), TimeMeter.SYSTEM_NANOTIME, clock, firstMeters);
		second = new RateLimitBackend(() -> config, redis.url(), TimeMeter.SYSTEM_NANOTIME, clock, secondMeters);
		for (RateLimitBackend replica : List.of(first, second)) {
			replica.probeOnce().block(Duration.ofSeconds(30));
			replica.probeOnce().block(Duration.ofSeconds(30));
			assertThat(replica.degraded()).as("shared buckets in Redis").isFalse();
		}
	}

	/**
	 * Both replicas take turns, one request a millisecond; the requests that passed. 400
	 * ms refill less than one token.
	 */
	private long takeTurns() {
		long consumed = 0;
		for (int i = 0; i < ATTEMPTS; i++) {
			nanos.addAndGet(Duration.ofMillis(1).toNanos());
			RateLimitBackend replica = i % 2 == 0 ? first : second;
			Probe probe = replica.consume("client", HUNDRED_A_MINUTE, 1, Schedulers.parallel())
				.block(Duration.ofSeconds(30));
			assertThat(probe.degraded()).as("decided with Redis, not by the fallback").isFalse();
			consumed += probe.consumed() ? 1 : 0;
		}
		return consumed;
	}

	/** Both replicas' {@code gateway_ratelimit_redis_skipped_calls_total{reason}}. */
	private double skipped(String reason) {
		return List.of(firstMeters, secondMeters)
			.stream()
			.mapToDouble(meters -> meters.get("gateway.ratelimit.redis.skipped.calls")
				.tag("reason", reason)
				.counter()
				.count())
			.sum();
	}

	@Test
	void withoutItEveryDecisionIsARoundTripAndTheLimitIsExact() {
		replicas("");
		long commandsBefore = redis.commandsProcessed();
		assertThat(takeTurns()).isEqualTo(100);
		assertThat(redis.commandsProcessed() - commandsBefore).as("Redis commands for %d decisions", ATTEMPTS)
			.isGreaterThanOrEqualTo(ATTEMPTS);
		assertThat(skipped("delayed_sync")).isZero();
	}

	@ParameterizedTest
	@ValueSource(strings = { "delaying", "predicting" })
	void replicasDecideOnTheirCopyAndExceedTheLimitByNoMoreThanTheMargin(String strategy) {
		replicas(", delayedSync: {strategy: " + strategy + ", maxDelay: 1s, maxUnsyncedPercent: 10}");
		long commandsBefore = redis.commandsProcessed();
		long firstMinute = takeTurns();
		long commands = redis.commandsProcessed() - commandsBefore;
		assertThat(firstMinute).as("requests passed in the first minute, %d attempts", ATTEMPTS)
			.isBetween(100 - MARGIN, 100 + MARGIN);
		assertThat(commands).as("Redis commands for %d decisions", ATTEMPTS).isLessThan(ATTEMPTS / 4);
		assertThat(skipped("delayed_sync")).as("decisions answered from a replica's copy")
			.isGreaterThan(ATTEMPTS * 3 / 4.0);

		// A minute later the bucket is full again, less the excess: each replica writes
		// what it took once maxDelay has passed, and the shared bucket carries the
		// excess as a debt.
		nanos.addAndGet(Duration.ofMinutes(1).toNanos());
		long secondMinute = takeTurns();
		assertThat(firstMinute + secondMinute).as("requests passed over two minutes")
			.isBetween(200 - MARGIN, 200 + MARGIN);
	}

}
