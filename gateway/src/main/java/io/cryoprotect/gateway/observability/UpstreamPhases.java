package io.cryoprotect.gateway.observability;

import io.cryoprotect.gateway.support.RequestState;
import io.cryoprotect.gateway.support.UpstreamTarget;
import io.netty.util.AttributeKey;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.http.client.HttpClientResponse;
import reactor.util.context.Context;

import org.springframework.web.server.ServerWebExchange;

/**
 * Times each upstream attempt: its wait before the request is sent, split into pool
 * acquire and TCP connect, and its wait for the response headers, for the slow-request
 * breakdown and {@code gateway_upstream_first_byte_seconds{upstream}}; and new
 * connections, for {@code gateway_upstream_connect_seconds{upstream}}. The hooks are
 * installed once per client (each hook copies the client's configuration, too dear per
 * request) and do not take part in the pool key, so an instrumented client keeps its
 * upstream colour's pool. They find the attempt they serve in the subscriber context, put
 * there by {@link #attempt}, and the times of a new connection on its channel. The
 * {@code upstream} tag is the colour the attempt called.
 */
public final class UpstreamPhases {

	/**
	 * On a new channel: when it started connecting and when it was connected, until its
	 * first request reads them.
	 */
	private static final AttributeKey<long[]> CONNECT = AttributeKey
		.valueOf(UpstreamPhases.class.getName() + ".connect");

	/** One upstream attempt of an exchange, from the routing call on. */
	private static final class Attempt {

		static final long NOT_SENT = Long.MIN_VALUE;

		final ServerWebExchange exchange;

		final long startNanos;

		/**
		 * When the request headers went out, {@link #NOT_SENT} until then; the first-byte
		 * phase starts there.
		 */
		volatile long sentAtNanos = NOT_SENT;

		Attempt(ServerWebExchange exchange, long startNanos) {
			this.exchange = exchange;
			this.startNanos = startNanos;
		}

	}

	private final RequestMetrics metrics;

	UpstreamPhases(RequestMetrics metrics) {
		this.metrics = metrics;
	}

	/** {@code client} with the timing hooks; call once per client, not per request. */
	public HttpClient instrument(HttpClient client) {
		return client
			.doOnChannelInit(
					(observer, channel, remote) -> channel.attr(CONNECT).set(new long[] { System.nanoTime(), 0 }))
			.doOnConnected(connection -> {
				long[] connect = connection.channel().attr(CONNECT).get();
				if (connect != null) {
					connect[1] = System.nanoTime();
				}
			})
			.doOnRequest(this::sending);
	}

	/**
	 * The upstream call of one attempt of {@code exchange}, starting now, made visible to
	 * the hooks.
	 */
	public static Mono<Void> attempt(ServerWebExchange exchange, Mono<Void> call) {
		// Each attempt has its own: a retry's first-byte phase starts at its own send,
		// not at the previous attempt's.
		return call.contextWrite(Context.of(Attempt.class, new Attempt(exchange, System.nanoTime())));
	}

	/**
	 * The current attempt's response headers arrived ({@code response} carries the
	 * attempt's subscriber context). Recorded only for observed exchanges (observability
	 * on).
	 */
	public void headersReceived(HttpClientResponse response, ServerWebExchange exchange) {
		RequestTrace trace = RequestTrace.of(exchange);
		Attempt attempt = response.currentContextView().getOrDefault(Attempt.class, null);
		if (trace == null || attempt == null) {
			return;
		}
		long now = System.nanoTime();
		// The metric counts from the routing call, pool wait and connect included; the
		// breakdown has those as phases of their own.
		metrics.firstByte(upstream(exchange), now - attempt.startNanos);
		long sentAt = attempt.sentAtNanos;
		trace.add(RequestTrace.Phase.FIRST_BYTE, now - (sentAt != Attempt.NOT_SENT ? sentAt : attempt.startNanos));
		trace.headersAt(now);
	}

	private void sending(HttpClientRequest request, Connection connection) {
		long now = System.nanoTime();
		long[] connect = connection.channel().attr(CONNECT).getAndSet(null);
		Attempt attempt = request.currentContextView().getOrDefault(Attempt.class, null);
		if (attempt == null) {
			return;
		}
		ServerWebExchange exchange = attempt.exchange;
		long acquired = now;
		if (connect != null && connect[1] != 0) {
			// A new connection: the pool granted it when it started connecting.
			acquired = connect[0];
			long connectNanos = connect[1] - connect[0];
			metrics.connect(upstream(exchange), connectNanos);
			RequestTrace.record(exchange, RequestTrace.Phase.CONNECT, connectNanos);
		}
		RequestTrace.record(exchange, RequestTrace.Phase.POOL_ACQUIRE, Math.max(0, acquired - attempt.startNanos));
		attempt.sentAtNanos = now;
	}

	/**
	 * The {@code upstream} tag of the upstream meters: service/colour of the colour
	 * called.
	 */
	private static String upstream(ServerWebExchange exchange) {
		UpstreamTarget called = RequestState.of(exchange).upstream();
		return called == null ? ObservabilityWebFilter.NONE + "/" + ObservabilityWebFilter.NONE : called.key();
	}

}
