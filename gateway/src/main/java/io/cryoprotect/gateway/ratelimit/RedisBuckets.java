package io.cryoprotect.gateway.ratelimit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Bandwidths;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.DelayedSync;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.DelayParameters;
import io.github.bucket4j.distributed.proxy.optimization.Optimization;
import io.github.bucket4j.distributed.proxy.optimization.OptimizationListener;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.distributed.proxy.optimization.PredictionParameters;
import io.github.bucket4j.distributed.proxy.optimization.delay.DelayOptimization;
import io.github.bucket4j.distributed.proxy.optimization.predictive.PredictiveOptimization;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.event.connection.ReconnectAttemptEvent;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Buckets shared by every gateway replica, in Redis through Bucket4j's Lettuce proxy
 * manager (compare-and-swap, asynchronous). The connection rejects commands while it is
 * down instead of queueing them, and reconnects by itself; callers bound every call with
 * their own timeout. Reconnects back off as Lettuce's do (1, 2, 4 ... ms), but never wait
 * longer than the backend's retry interval, where Lettuce would wait up to 30 s: a long
 * outage must not delay the return of shared limits beyond the probe's own pace.
 */
final class RedisBuckets implements AutoCloseable {

	static final String KEY_PREFIX = "cryoprotect:gw:rl:";

	private static final String REPLICAS_KEY = "cryoprotect:gw:replicas";

	/**
	 * Lettuce's default backoff; its upper bound is only reached once the cap is above
	 * it.
	 */
	private static final Delay LETTUCE_BACKOFF = Delay.exponential(Duration.ZERO, Duration.ofSeconds(30), 2,
			TimeUnit.MILLISECONDS);

	private final ClientResources resources;

	private final RedisClient client;

	private final TimeMeter clock;

	private volatile StatefulRedisConnection<String, byte[]> connection;

	private volatile AsyncProxyManager<String> proxies;

	/**
	 * A bucket proxy per key and sync setting, kept so that batching can join concurrent
	 * requests and a delayed sync keeps its copy of the bucket; bounded, and cheap to
	 * rebuild (a dropped proxy forgets at most its unsynced tokens).
	 */
	private record ProxyKey(String redisKey, DelayedSync sync) {
	}

	private final Cache<ProxyKey, AsyncBucketProxy> buckets = Caffeine.newBuilder()
		.maximumSize(10_000)
		.expireAfterAccess(Duration.ofMinutes(1))
		.executor(Runnable::run)
		.build();

	private final Duration requestTimeout;

	private final OptimizationListener optimizationListener;

	/**
	 * @param requestTimeout bounds one whole bucket operation inside Bucket4j, its
	 * compare-and-swap retries included, so a contended key cannot keep commands running
	 * after the caller gave up
	 * @param optimizationListener told of every decision taken without its own Redis
	 * round trip
	 */
	RedisBuckets(String url, TimeMeter clock, Duration requestTimeout, Supplier<Duration> reconnectCap,
			OptimizationListener optimizationListener) {
		this.clock = clock;
		this.requestTimeout = requestTimeout;
		this.optimizationListener = optimizationListener;
		this.resources = ClientResources.builder().reconnectDelay(reconnectDelay(reconnectCap)).build();
		this.client = RedisClient.create(resources, RedisURI.create(url));
		this.client.setOptions(ClientOptions.builder()
			.autoReconnect(true)
			.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
			// A backstop: each request's own wait is bounded by
			// storage.redis.commandTimeout.
			.timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(1)))
			.socketOptions(SocketOptions.builder().connectTimeout(Duration.ofMillis(500)).keepAlive(true).build())
			.build());
	}

	/**
	 * Lettuce's exponential reconnect backoff, capped at {@code cap} as it is when each
	 * delay is taken.
	 */
	static Delay reconnectDelay(Supplier<Duration> cap) {
		return new Delay() {

			@Override
			public Duration createDelay(long attempt) {
				Duration backoff = LETTUCE_BACKOFF.createDelay(attempt);
				Duration max = cap.get();
				return backoff.compareTo(max) > 0 ? max : backoff;
			}

		};
	}

	/** Every reconnect attempt Lettuce schedules, with its attempt number and delay. */
	Flux<ReconnectAttemptEvent> reconnectAttempts() {
		return resources.eventBus().get().ofType(ReconnectAttemptEvent.class);
	}

	/**
	 * Whether a connection was ever made; Lettuce re-establishes a lost one by itself.
	 */
	boolean connected() {
		return proxies != null;
	}

	/** Connects once; blocks up to the connect timeout, so it runs off the event loop. */
	synchronized void connect() {
		if (proxies != null) {
			return;
		}
		StatefulRedisConnection<String, byte[]> made = client
			.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
		connection = made;
		proxies = Bucket4jLettuce.casBasedBuilder(made)
			.clientClock(clock)
			.requestTimeout(requestTimeout)
			// A bucket is dropped once it would be full again, plus a margin for clock
			// skew between replicas.
			.expirationAfterWrite(
					ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
			.build()
			.asAsync();
	}

	/**
	 * @param sync decide on this replica's copy of the bucket and write to Redis in
	 * arrears, or null for a round trip per decision
	 */
	Mono<Probe> consume(String key, Bandwidths bandwidths, long cost, DelayedSync sync) {
		AsyncProxyManager<String> manager = proxies;
		if (manager == null) {
			return Mono.error(new IllegalStateException("not connected to Redis yet"));
		}
		// The key carries the configuration's fingerprint: a changed limit starts fresh
		// shared buckets,
		// and replicas still on the old file keep using theirs until they reload (old
		// keys expire).
		String redisKey = KEY_PREFIX + Long.toHexString(bandwidths.version()) + ':' + key;
		AsyncBucketProxy bucket = buckets.get(new ProxyKey(redisKey, sync),
				k -> manager.builder()
					.withOptimization(optimization(sync, bandwidths))
					.build(k.redisKey(), () -> CompletableFuture.completedFuture(bandwidths.configuration())));
		return Mono.fromFuture(() -> bucket.asVerbose().tryConsumeAndReturnRemaining(cost))
			.map(result -> Probe.of(result, bandwidths, false));
	}

	/**
	 * Without a delayed sync, requests for one key that arrive while its last command is
	 * in flight go to Redis as one batch: a busy key (a NAT'd office, one heavy user)
	 * costs one compare-and-swap, not one per request. Both delayed strategies batch as
	 * well, and answer from the replica's copy until it must be written.
	 */
	private Optimization optimization(DelayedSync sync, Bandwidths bandwidths) {
		if (sync == null) {
			return Optimizations.batching().withListener(optimizationListener);
		}
		DelayParameters delay = new DelayParameters(sync.maxUnsyncedTokens(bandwidths), sync.maxDelay());
		return switch (sync.strategy()) {
			case delaying -> new DelayOptimization(delay, optimizationListener, clock);
			case predicting -> new PredictiveOptimization(PredictionParameters.createDefault(delay), delay,
					optimizationListener, clock);
		};
	}

	/**
	 * Marks this replica alive and counts the live ones: a sorted set of replica ids
	 * scored by their last heartbeat, entries older than {@code ttl} removed.
	 */
	Mono<Long> heartbeat(String replicaId, Duration ttl) {
		StatefulRedisConnection<String, byte[]> conn = connection;
		if (conn == null) {
			return Mono.error(new IllegalStateException("not connected to Redis yet"));
		}
		long now = clock.currentTimeNanos() / 1_000_000;
		var commands = conn.async();
		return Mono.fromFuture(() -> commands.zadd(REPLICAS_KEY, now, replicaId.getBytes(StandardCharsets.UTF_8))
			.thenCompose(added -> commands.zremrangebyscore(REPLICAS_KEY,
					io.lettuce.core.Range.create(0L, now - ttl.toMillis())))
			.thenCompose(removed -> commands.pexpire(REPLICAS_KEY, ttl.toMillis() * 2))
			.thenCompose(set -> commands.zcard(REPLICAS_KEY))
			.toCompletableFuture());
	}

	@Override
	public void close() {
		StatefulRedisConnection<String, byte[]> conn = connection;
		if (conn != null) {
			conn.close();
		}
		client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(2_000);
	}

}
