package io.cryoprotect.gateway.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Bandwidths;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Rate;
import io.github.bucket4j.TimeMeter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The rate limiter's per-request work with local buckets: resolving an anonymous caller's key
 * (IPv4 as it is, IPv6 by its /64) and consuming from the bucket, for one hot key and across
 * 10 000 distinct keys (a bounded Caffeine cache lookup per request). Shipped rates: 20/min,
 * 100/h, 1000/day, with a capacity large enough that the benchmark measures consumption, not
 * rejections.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RateLimitBenchmark {

	private static final int KEYS = 10_000;

	private final Bandwidths bandwidths = Bandwidths.of(List.of(new Rate(20_000_000, Duration.ofMinutes(1), "1m"),
			new Rate(100_000_000, Duration.ofHours(1), "1h"), new Rate(1_000_000_000, Duration.ofDays(1), "1d")));

	private final LocalBuckets buckets = new LocalBuckets(100_000, TimeMeter.SYSTEM_NANOTIME);

	private final String[] keys = new String[KEYS];

	private int next;

	public RateLimitBenchmark() {
		for (int i = 0; i < KEYS; i++) {
			keys[i] = "ip:10.0." + (i / 256) + "." + (i % 256);
		}
	}

	@Benchmark
	public String ipv4Key() {
		return RateLimitFilter.ipKey("203.0.113.7");
	}

	@Benchmark
	public String ipv6Key() {
		return RateLimitFilter.ipKey("2001:db8:85a3:8d3:1319:8a2e:370:7348");
	}

	@Benchmark
	public Probe consumeHotKey() {
		return buckets.consume("ip:203.0.113.7", bandwidths, 1, false);
	}

	@Benchmark
	public Probe consumeAcrossKeys() {
		next = (next + 1) % KEYS;
		return buckets.consume(keys[next], bandwidths, 1, false);
	}

}
