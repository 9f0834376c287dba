package io.cryoprotect.gateway.support;

import reactor.netty.Connection;

import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;

/** The client's side of an exchange. */
public final class ClientConnection {

	private ClientConnection() {
	}

	/**
	 * Whether the client has closed its connection: nothing can be answered any more, and
	 * a failure to write (Reactor Netty's "Connection has been closed BEFORE send
	 * operation") is not the gateway's.
	 */
	public static boolean closed(ServerWebExchange exchange) {
		Object request = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
		return request instanceof Connection connection && connection.isDisposed();
	}

	/**
	 * Whether the gateway itself cut the client off because the request body stalled past
	 * the edge's read or request timeout: the client's doing, recorded as 408. Ask while
	 * the request is live: once Reactor Netty has terminated it, its connection reports a
	 * placeholder channel without the mark.
	 */
	public static boolean bodyTimedOut(ServerWebExchange exchange) {
		Object request = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
		return request instanceof Connection connection && RequestBodyTimeoutException.cutOff(connection.channel());
	}

}
