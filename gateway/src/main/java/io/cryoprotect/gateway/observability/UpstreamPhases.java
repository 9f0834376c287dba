package io.cryoprotect.gateway.observability;

import reactor.netty.http.client.HttpClient;

import org.springframework.web.server.ServerWebExchange;

/**
 * Splits an upstream attempt's wait before the request is sent into pool acquire and TCP
 * connect, for the slow-request breakdown. The callbacks are Reactor Netty's per-client
 * lifecycle hooks, which do not take part in the pool key, so the instrumented client keeps
 * using its upstream colour's pool. Exchanges without a trace (observability off) get the
 * client as it is.
 */
public final class UpstreamPhases {

	/** Long: when the current attempt's request headers went out; the first-byte phase starts there. */
	static final String SENT_AT = UpstreamPhases.class.getName() + ".sentAt";

	private UpstreamPhases() {
	}

	/** {@code client} with hooks timing this exchange's current attempt. */
	public static HttpClient instrument(HttpClient client, ServerWebExchange exchange) {
		RequestTrace trace = RequestTrace.of(exchange);
		if (trace == null) {
			return client;
		}
		long start = System.nanoTime();
		long[] connect = new long[2];
		return client.doOnConnect(config -> connect[0] = System.nanoTime())
			.doOnConnected(connection -> connect[1] = System.nanoTime())
			.doOnRequest((request, connection) -> {
				long now = System.nanoTime();
				if (connect[0] != 0 && connect[1] != 0) {
					// A new connection: the pool granted it at connect start.
					trace.add(RequestTrace.Phase.POOL_ACQUIRE, connect[0] - start);
					trace.add(RequestTrace.Phase.CONNECT, connect[1] - connect[0]);
				}
				else {
					trace.add(RequestTrace.Phase.POOL_ACQUIRE, now - start);
				}
				exchange.getAttributes().put(SENT_AT, now);
			});
	}

}
