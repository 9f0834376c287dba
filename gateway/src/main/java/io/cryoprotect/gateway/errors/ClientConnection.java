package io.cryoprotect.gateway.errors;

import reactor.netty.Connection;

import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;

/** The client's side of an exchange. */
public final class ClientConnection {

	private ClientConnection() {
	}

	/**
	 * Whether the client has closed its connection: nothing can be answered any more, and a failure to
	 * write (Reactor Netty's "Connection has been closed BEFORE send operation") is not the gateway's.
	 */
	public static boolean closed(ServerWebExchange exchange) {
		Object request = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
		return request instanceof Connection connection && connection.isDisposed();
	}

}
