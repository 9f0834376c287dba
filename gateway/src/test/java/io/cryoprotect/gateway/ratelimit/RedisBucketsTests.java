package io.cryoprotect.gateway.ratelimit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.resource.Delay;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Lettuce's reconnect backoff, capped at the live retry interval. */
class RedisBucketsTests {

	@Test
	void reconnectDelayDoublesFromOneMillisecondUpToTheLiveRetryInterval() {
		AtomicReference<Duration> retryInterval = new AtomicReference<>(Duration.ofSeconds(1));
		Delay delay = RedisBuckets.reconnectDelay(retryInterval::get);
		assertThat(delay.createDelay(1)).isEqualTo(Duration.ofMillis(1));
		assertThat(delay.createDelay(2)).isEqualTo(Duration.ofMillis(2));
		assertThat(delay.createDelay(10)).isEqualTo(Duration.ofMillis(512));
		// Lettuce alone would wait 1 s, 2 s ... up to 30 s from here on.
		assertThat(delay.createDelay(11)).isEqualTo(Duration.ofSeconds(1));
		assertThat(delay.createDelay(40)).isEqualTo(Duration.ofSeconds(1));
		// A reloaded ratelimits.yml applies to the next attempt.
		retryInterval.set(Duration.ofMillis(200));
		assertThat(delay.createDelay(40)).isEqualTo(Duration.ofMillis(200));
		assertThat(delay.createDelay(3)).isEqualTo(Duration.ofMillis(4));
	}

}
