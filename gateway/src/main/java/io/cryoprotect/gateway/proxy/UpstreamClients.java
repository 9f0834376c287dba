package io.cryoprotect.gateway.proxy;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.cryoprotect.gateway.observability.UpstreamPhases;
import io.cryoprotect.gateway.support.UpstreamTarget;
import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.beans.factory.DisposableBean;

/**
 * A connection pool per upstream colour, where Spring Cloud Gateway has one global pool:
 * fixed size, bounded pending-acquire queue and timeout, max idle time below the
 * upstream's keep-alive (stale connections cause {@code PrematureCloseException}), max
 * life time and background eviction. Pools report
 * {@code reactor_netty_connection_provider_*} metrics (active, idle, pending, acquire
 * time) tagged with the pool name, e.g. {@code flask-api/blue}. HTTP clients per timeout
 * combination share their pool; the response timeout is a handler that stays on each
 * connection ({@link ResponseReadTimeout}). The clients carry no Reactor Netty request
 * metrics: those cost a handler pass and several meter updates per request, and the
 * gateway's own meters already time first bytes and connects per upstream colour.
 */
public final class UpstreamClients implements DisposableBean {

	private record PoolKey(String name, PoolSettings settings) {
	}

	private record ClientKey(PoolKey pool, Duration connectTimeout, Duration responseTimeout) {
	}

	private final Map<PoolKey, ConnectionProvider> pools = new ConcurrentHashMap<>();

	private final Map<ClientKey, HttpClient> clients = new ConcurrentHashMap<>();

	private final UpstreamPhases phases;

	public UpstreamClients(UpstreamPhases phases) {
		this.phases = phases;
	}

	/**
	 * The client for one colour's pool with these timeouts: {@code responseTimeout}
	 * bounds the wait for the response headers and the longest silence mid-body.
	 */
	public HttpClient client(UpstreamTarget target, PoolSettings pool, Duration connectTimeout,
			Duration responseTimeout) {
		ClientKey key = new ClientKey(new PoolKey(target.key(), pool), connectTimeout, responseTimeout);
		HttpClient client = clients.get(key);
		return client != null ? client : clients.computeIfAbsent(key, this::create);
	}

	private HttpClient create(ClientKey key) {
		ConnectionProvider provider = pools.computeIfAbsent(key.pool(), UpstreamClients::pool);
		Duration responseTimeout = key.responseTimeout();
		return phases.instrument(HttpClient.create(provider)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
					(int) Math.min(Integer.MAX_VALUE, key.connectTimeout().toMillis()))
			// From the request sent: the wait for the response headers and the longest
			// silence mid-body.
			// Clients of one pool differ in timeouts, so each request names its own.
			.doOnChannelInit((observer, channel, remote) -> ResponseReadTimeout.install(channel))
			.doOnRequest((request, connection) -> ResponseReadTimeout.expect(connection.channel(), responseTimeout)));
	}

	private static ConnectionProvider pool(PoolKey key) {
		PoolSettings s = key.settings();
		return ConnectionProvider.builder(key.name())
			.maxConnections(s.maxConnections())
			.pendingAcquireMaxCount(s.pendingAcquireMaxCount())
			.pendingAcquireTimeout(s.pendingAcquireTimeout())
			.maxIdleTime(s.maxIdleTime())
			.maxLifeTime(s.maxLifeTime())
			.evictInBackground(s.evictionInterval())
			.metrics(true)
			.build();
	}

	@Override
	public void destroy() {
		pools.values().forEach(ConnectionProvider::dispose);
	}

}
