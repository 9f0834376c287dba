package io.cryoprotect.gateway.ratelimit;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Bandwidths;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Storage;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.proxy.optimization.OptimizationListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.context.SmartLifecycle;

/**
 * Where buckets live. Without a Redis URL: this process. With one: Redis, each call
 * bounded by {@code storage.redis.commandTimeout}. When Redis fails or answers late the
 * backend is degraded: it logs once, sets {@code gateway_ratelimit_backend_degraded} to 1
 * and answers as {@code storage.redis.onFailure} says (local buckets holding this
 * replica's share of each limit, allow, or deny) without touching Redis again, until a
 * background probe finds Redis answering; then shared enforcement resumes by itself. The
 * probe is also the replica heartbeat that counts the gateways sharing the limits.
 */
final class RateLimitBackend implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RateLimitBackend.class);

	private final Supplier<RateLimitConfig> config;

	private final LocalBuckets local;

	private final RedisBuckets redis;

	private final String redisDisplay;

	private final String replicaId = UUID.randomUUID().toString();

	private final AtomicBoolean degraded;

	private record ShareKey(Bandwidths bandwidths, long cost) {
	}

	private final Map<ShareKey, Bandwidths> shares = new ConcurrentHashMap<>();

	/**
	 * Consecutive probe successes while degraded; shared limits resume after
	 * {@link #RESUME_AFTER}.
	 */
	private volatile int probeSuccesses;

	private static final int RESUME_AFTER = 2;

	/** The probe's own bucket: generous, so probing never limits anything. */
	private static final Bandwidths PROBE = Bandwidths
		.of(java.util.List.of(new RateLimitConfig.Rate(1_000_000, Duration.ofMinutes(1), "1m")));

	private volatile int countedReplicas = 1;

	private volatile String degradedReason;

	/**
	 * Whether Redis ever answered: the first success is news, later ones are recoveries.
	 */
	private volatile boolean everShared;

	private volatile boolean unreachableAtStartLogged;

	private volatile Disposable probe;

	private final Disposable reconnectCounting;

	/**
	 * @param redisUrl null or blank for local buckets only
	 */
	RateLimitBackend(Supplier<RateLimitConfig> config, String redisUrl, TimeMeter localClock, TimeMeter sharedClock,
			MeterRegistry meters) {
		this.config = config;
		this.local = new LocalBuckets(storage().maxKeys(), localClock);
		boolean shared = redisUrl != null && !redisUrl.isBlank();
		// Lettuce reconnects no slower than the probe looks, so shared limits resume
		// within about retryInterval.
		this.redis = shared ? new RedisBuckets(redisUrl, sharedClock, storage().commandTimeout(),
				() -> storage().retryInterval(), skippedCalls(meters)) : null;
		this.redisDisplay = shared ? redactPassword(redisUrl) : null;
		// Until the first probe connects, shared buckets are not available.
		this.degraded = new AtomicBoolean(shared);
		this.degradedReason = shared ? "not connected yet" : null;
		Gauge.builder("gateway.ratelimit.backend.degraded", () -> degraded.get() ? 1 : 0)
			.description("1 while Redis-backed rate limiting is unavailable and the configured fallback decides")
			.register(meters);
		Gauge.builder("gateway.ratelimit.local.buckets", local, LocalBuckets::size)
			.description("Buckets held in this process (bounded by storage.local.maxKeys)")
			.register(meters);
		if (shared) {
			Counter reconnects = Counter.builder("gateway.ratelimit.redis.reconnect.attempts")
				.description("Attempts to reconnect to Redis after the connection was lost")
				.register(meters);
			this.reconnectCounting = redis.reconnectAttempts().subscribe(attempt -> reconnects.increment());
		}
		else {
			this.reconnectCounting = null;
		}
	}

	/**
	 * Consumes {@code cost} tokens from the shared bucket {@code key} (only when
	 * {@link #shared()}); never fails, never waits longer than the command timeout,
	 * measured on {@code timer}.
	 */
	Mono<Probe> consume(String key, Bandwidths bandwidths, long cost, Scheduler timer) {
		Storage storage = storage();
		if (degraded.get()) {
			return Mono.just(fallback(storage, key, bandwidths, cost));
		}
		// A timer publisher with a fallback: timeout(Duration) would build a description
		// string per call
		// for a TimeoutException that is only logged when the backend degrades.
		return redis.consume(key, bandwidths, cost, storage.delayedSync())
			.timeout(Mono.delay(storage.commandTimeout(), timer), Mono.fromSupplier(() -> {
				degrade(new TimeoutException());
				return fallback(storage, key, bandwidths, cost);
			}))
			.onErrorResume(error -> {
				degrade(error);
				return Mono.just(fallback(storage, key, bandwidths, cost));
			});
	}

	/**
	 * Counts the bucket decisions that cost no Redis call of their own: joined to another
	 * request's call for the same key ({@code batched}), or answered from this replica's
	 * copy of the bucket ({@code delayed_sync}).
	 */
	private static OptimizationListener skippedCalls(MeterRegistry meters) {
		Counter batched = skippedCalls(meters, "batched");
		Counter delayed = skippedCalls(meters, "delayed_sync");
		return new OptimizationListener() {

			@Override
			public void incrementMergeCount(int count) {
				batched.increment(count);
			}

			@Override
			public void incrementSkipCount(int count) {
				delayed.increment(count);
			}

		};
	}

	private static Counter skippedCalls(MeterRegistry meters, String reason) {
		return Counter.builder("gateway.ratelimit.redis.skipped.calls")
			.description("Shared-bucket decisions taken without a Redis call of their own")
			.tag("reason", reason)
			.register(meters);
	}

	/**
	 * Consumes from this process's bucket, when buckets are not shared ({@link #shared()}
	 * is false).
	 */
	Probe consumeLocal(String key, Bandwidths bandwidths, long cost) {
		return local.consume(key, bandwidths, cost, false);
	}

	private Probe fallback(Storage storage, String key, Bandwidths bandwidths, long cost) {
		return switch (storage.onFailure()) {
			case local -> local.consume(key, share(bandwidths, storage, cost), cost, true);
			case allow -> Probe.allowedBlind();
			case deny -> Probe.deniedBlind(storage.retryInterval().toNanos());
		};
	}

	private Bandwidths share(Bandwidths bandwidths, Storage storage, long cost) {
		int replicas = replicas(storage);
		if (replicas <= 1) {
			return bandwidths;
		}
		return shares.computeIfAbsent(new ShareKey(bandwidths, cost), k -> k.bandwidths().share(replicas, k.cost()));
	}

	/** The live storage settings, or the defaults before any ratelimits.yml loaded. */
	private Storage storage() {
		RateLimitConfig live = config.get();
		return live == null ? Storage.DEFAULTS : live.storage();
	}

	/**
	 * The replica count sizing local fallback buckets: configured, or last counted
	 * through Redis.
	 */
	int replicas(Storage storage) {
		return storage.replicas() != null ? storage.replicas() : countedReplicas;
	}

	boolean shared() {
		return redis != null;
	}

	boolean degraded() {
		return degraded.get();
	}

	String degradedReason() {
		return degradedReason;
	}

	String redisDisplay() {
		return redisDisplay;
	}

	long localBuckets() {
		return local.size();
	}

	/** Applies a reloaded config's storage bounds. */
	void reconfigure(RateLimitConfig config) {
		local.resize(config.storage().maxKeys());
		shares.clear();
	}

	private void degrade(Throwable error) {
		String reason = describe(error);
		if (degraded.compareAndSet(false, true)) {
			degradedReason = reason;
			logger.warn(
					"Rate-limit backend Redis (" + redisDisplay + ") failed: " + reason + "; limits are now decided by "
							+ "the fallback '" + storage().onFailure() + "' until Redis answers again");
		}
	}

	/**
	 * One heartbeat: connects if needed, counts replicas, and, while degraded, consumes
	 * from a probe bucket as requests would, under the same command timeout. Shared
	 * enforcement resumes after {@link #RESUME_AFTER} such successes in a row, so a Redis
	 * that answers only now and then does not flip the backend back and forth.
	 * Package-private: tests step it by hand.
	 */
	Mono<Void> probeOnce() {
		Storage storage = storage();
		Duration ttl = storage.retryInterval().multipliedBy(3).plusSeconds(2);
		// Connecting blocks up to Lettuce's connect timeout, so off the event loop and
		// outside the command timeout.
		return Mono.fromRunnable(redis::connect)
			.subscribeOn(Schedulers.boundedElastic())
			.then(Mono.defer(() -> redis.heartbeat(replicaId, ttl).timeout(storage.commandTimeout().multipliedBy(4))))
			.flatMap(count -> !degraded.get() ? Mono.just(count)
					: redis.consume("probe:" + replicaId, PROBE, 1, null)
						.timeout(storage.commandTimeout())
						.thenReturn(count))
			.doOnNext(count -> {
				countedReplicas = (int) Math.max(1, Math.min(count, 1000));
				if (degraded.get() && ++probeSuccesses < RESUME_AFTER) {
					return;
				}
				probeSuccesses = 0;
				if (degraded.compareAndSet(true, false)) {
					shares.clear();
					if (everShared) {
						logger.warn("Rate-limit backend Redis (" + redisDisplay + ") answers again after '"
								+ degradedReason + "'; shared limits are enforced again (" + countedReplicas
								+ " replica(s) counted)");
					}
					else {
						logger.info("Rate limits are shared in Redis (" + redisDisplay + "), " + countedReplicas
								+ " replica(s) counted");
					}
					everShared = true;
					degradedReason = null;
				}
			})
			.onErrorResume(error -> {
				probeSuccesses = 0;
				if (!degraded.get()) {
					degrade(error);
				}
				else if (!everShared && !unreachableAtStartLogged) {
					unreachableAtStartLogged = true;
					degradedReason = describe(error);
					logger.warn("Rate-limit backend Redis (" + redisDisplay + ") is not reachable: " + degradedReason
							+ "; limits are decided by the fallback '" + storage.onFailure() + "' until it answers");
				}
				else if (logger.isDebugEnabled()) {
					logger.debug("Rate-limit backend Redis still unavailable: " + describe(error));
				}
				return Mono.empty();
			})
			.then();
	}

	private static String describe(Throwable error) {
		if (error instanceof TimeoutException) {
			return "no answer within the command timeout";
		}
		Throwable root = error;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
	}

	/** {@code redis://:secret@host:6379} is logged as {@code redis://***@host:6379}. */
	static String redactPassword(String url) {
		return url.replaceFirst("//[^@/]*@", "//***@");
	}

	@Override
	public void start() {
		if (redis == null || probe != null) {
			return;
		}
		// Each tick runs after the previous one finished; the interval follows the live
		// config.
		probe = Flux.defer(() -> probeOnce().then(Mono.delay(storage().retryInterval())))
			// Nothing in a tick may end the loop: shared limits must always be able to
			// resume.
			.onErrorResume(error -> {
				logger.warn("Rate-limit backend probe failed unexpectedly; retrying", error);
				return Mono.delay(Duration.ofSeconds(1));
			})
			.repeat()
			.subscribe();
	}

	@Override
	public void stop() {
		Disposable running = probe;
		probe = null;
		if (running != null) {
			running.dispose();
		}
		if (redis != null) {
			reconnectCounting.dispose();
			redis.close();
		}
	}

	/**
	 * Stopped after the web server (graceful drain, then stop), so requests still in
	 * flight during the drain keep their shared buckets.
	 */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 4096;
	}

	@Override
	public boolean isRunning() {
		return probe != null;
	}

}
