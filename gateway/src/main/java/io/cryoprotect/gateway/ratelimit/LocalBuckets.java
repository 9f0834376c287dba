package io.cryoprotect.gateway.ratelimit;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Bandwidths;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.local.LocalBucket;
import io.github.bucket4j.local.LocalBucketBuilder;

/**
 * Buckets in this process: lock-free Bucket4j buckets in a Caffeine cache bounded to a
 * number of keys. A bucket idle for its longest window is full again, as good as a new
 * one, so it expires then. Beyond the bound Caffeine drops the buckets it judges least
 * useful: a flood of distinct keys can then reset some callers' use, never grow memory.
 * (Redis-backed buckets have no such bound; they expire by time only.) Nothing here
 * blocks.
 */
final class LocalBuckets {

	private record Entry(long version, LocalBucket bucket, long idleNanos) {
	}

	private final Cache<String, Entry> buckets;

	private final TimeMeter clock;

	LocalBuckets(int maxKeys, TimeMeter clock) {
		this.clock = clock;
		this.buckets = Caffeine.newBuilder()
			.maximumSize(maxKeys)
			.expireAfter(Expiry.accessing((String key, Entry entry) -> Duration.ofNanos(entry.idleNanos())))
			.ticker(clock::currentTimeNanos)
			// Eviction work runs on the calling thread, in small amortised steps, not on
			// the common pool.
			.executor(Runnable::run)
			.build();
	}

	Probe consume(String key, Bandwidths bandwidths, long cost, boolean degraded) {
		Entry entry = buckets.get(key,
				k -> new Entry(bandwidths.version(), create(bandwidths), bandwidths.longestWindow().toNanos()));
		if (entry.version() != bandwidths.version()) {
			// The limit changed on reload: keep the caller's use so far, in proportion.
			entry.bucket().replaceConfiguration(bandwidths.configuration(), TokensInheritanceStrategy.PROPORTIONALLY);
			entry = new Entry(bandwidths.version(), entry.bucket(), bandwidths.longestWindow().toNanos());
			buckets.put(key, entry);
		}
		return Probe.of(entry.bucket().asVerbose().tryConsumeAndReturnRemaining(cost), bandwidths, degraded);
	}

	void resize(int maxKeys) {
		buckets.policy().eviction().ifPresent(eviction -> eviction.setMaximum(maxKeys));
	}

	long size() {
		buckets.cleanUp();
		return buckets.estimatedSize();
	}

	private LocalBucket create(Bandwidths bandwidths) {
		LocalBucketBuilder builder = Bucket.builder().withCustomTimePrecision(clock);
		for (Bandwidth bandwidth : bandwidths.configuration().getBandwidths()) {
			builder.addLimit(bandwidth);
		}
		return builder.build();
	}

}
