package io.cryoprotect.gateway.ratelimit;

import java.time.Duration;
import java.util.List;

import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Bandwidths;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Rate;
import io.github.bucket4j.TimeMeter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalBucketsTests {

	/** A clock the test moves by hand. */
	private static final class ManualClock implements TimeMeter {

		private long nanos = 1_000_000_000L;

		void advance(Duration duration) {
			nanos += duration.toNanos();
		}

		@Override
		public long currentTimeNanos() {
			return nanos;
		}

		@Override
		public boolean isWallClockBased() {
			return false;
		}

	}

	private final ManualClock clock = new ManualClock();

	private static Bandwidths rates(long perMinute, long perHour) {
		return Bandwidths.of(List.of(new Rate(perMinute, Duration.ofMinutes(1), "1m"),
				new Rate(perHour, Duration.ofHours(1), "1h")));
	}

	@Test
	void rejectsBeyondTheQuotaAndSaysWhenToRetry() {
		LocalBuckets buckets = new LocalBuckets(1_000, clock);
		Bandwidths limit = rates(3, 100);
		assertThat(buckets.consume("k", limit, 1, false).remaining()).isEqualTo(2);
		assertThat(buckets.consume("k", limit, 1, false).remaining()).isEqualTo(1);
		Probe third = buckets.consume("k", limit, 1, false);
		assertThat(third.consumed()).isTrue();
		assertThat(third.remaining()).isZero();
		assertThat(third.rate().label()).as("the tightest bandwidth").isEqualTo("1m");
		assertThat(third.resetNanos()).isEqualTo(Duration.ofMinutes(1).toNanos());

		Probe fourth = buckets.consume("k", limit, 1, false);
		assertThat(fourth.consumed()).isFalse();
		assertThat(fourth.retryAfterNanos()).isEqualTo(Duration.ofSeconds(20).toNanos());

		clock.advance(Duration.ofSeconds(20));
		assertThat(buckets.consume("k", limit, 1, false).consumed()).isTrue();
		assertThat(buckets.consume("other", limit, 1, false).remaining()).as("keys are independent").isEqualTo(2);
	}

	@Test
	void theHourlyBandwidthBindsOnceTheMinuteOnesRefill() {
		LocalBuckets buckets = new LocalBuckets(1_000, clock);
		Bandwidths limit = rates(3, 4);
		for (int i = 0; i < 3; i++) {
			assertThat(buckets.consume("k", limit, 1, false).consumed()).isTrue();
		}
		clock.advance(Duration.ofMinutes(1));
		Probe probe = buckets.consume("k", limit, 1, false);
		assertThat(probe.consumed()).isTrue();
		assertThat(probe.rate().label()).isEqualTo("1h");
		assertThat(probe.remaining()).isZero();
		assertThat(buckets.consume("k", limit, 1, false).consumed()).isFalse();
	}

	@Test
	void costsTakeSeveralTokens() {
		LocalBuckets buckets = new LocalBuckets(1_000, clock);
		Bandwidths limit = rates(10, 100);
		assertThat(buckets.consume("k", limit, 4, false).remaining()).isEqualTo(6);
		assertThat(buckets.consume("k", limit, 4, false).remaining()).isEqualTo(2);
		Probe refused = buckets.consume("k", limit, 4, false);
		assertThat(refused.consumed()).isFalse();
		assertThat(refused.retryAfterNanos()).as("two tokens missing at 10/min")
			.isEqualTo(Duration.ofSeconds(12).toNanos());
	}

	@Test
	void aCostAboveTheCapacityWaitsForeverAndTheHeadersStillSaySomethingFinite() {
		LocalBuckets buckets = new LocalBuckets(1_000, clock);
		Probe refused = buckets.consume("k", rates(3, 100), 5, false);
		assertThat(refused.consumed()).isFalse();
		assertThat(refused.retryAfterNanos()).isEqualTo(Long.MAX_VALUE);
		assertThat(RateLimitFilter.seconds(refused.retryAfterNanos())).isEqualTo(Duration.ofDays(1).toSeconds());
		assertThat(RateLimitFilter.seconds(1)).isEqualTo(1);
		assertThat(RateLimitFilter.seconds(Duration.ofSeconds(20).toNanos())).isEqualTo(20);
	}

	@Test
	void aReloadedLimitKeepsTheCallersUseInProportion() {
		LocalBuckets buckets = new LocalBuckets(1_000, clock);
		buckets.consume("k", rates(10, 100), 5, false);
		Probe after = buckets.consume("k", rates(20, 100), 1, false);
		assertThat(after.remaining()).as("half used of 20, then one more").isEqualTo(9);
	}

	@Test
	void aFloodOfDistinctKeysStaysWithinTheBound() {
		LocalBuckets buckets = new LocalBuckets(1_000, clock);
		Bandwidths limit = rates(50, 1_000);
		for (int i = 0; i < 200_000; i++) {
			assertThat(buckets.consume("flood-" + i, limit, 1, false).remaining()).isEqualTo(49);
		}
		assertThat(buckets.size()).isLessThanOrEqualTo(1_000);
		buckets.resize(100);
		assertThat(buckets.size()).as("a reload that lowers maxKeys applies at once").isLessThanOrEqualTo(100);
	}

	@Test
	void idleBucketsExpireOnceTheyWouldBeFullAgain() {
		LocalBuckets buckets = new LocalBuckets(1_000, clock);
		buckets.consume("k", rates(3, 100), 1, false);
		assertThat(buckets.size()).isEqualTo(1);
		clock.advance(Duration.ofHours(1).plusSeconds(1));
		assertThat(buckets.size()).isZero();
	}

}
