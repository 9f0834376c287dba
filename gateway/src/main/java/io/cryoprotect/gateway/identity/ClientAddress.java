package io.cryoprotect.gateway.identity;

import java.net.InetSocketAddress;

import org.springframework.web.server.ServerWebExchange;

/** The client's IP address as the gateway sees it: the socket peer. */
public final class ClientAddress {

	private static final String UNKNOWN = "unknown";

	private ClientAddress() {
	}

	public static String of(ServerWebExchange exchange) {
		InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
		if (remote == null) {
			return UNKNOWN;
		}
		return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
	}

}
