package io.cryoprotect.gateway.identity;

import java.net.InetSocketAddress;

import org.springframework.web.server.ServerWebExchange;

/**
 * The client's IP address as the gateway determined it: the socket peer, or, when the peer
 * is a trusted proxy, the address that proxy reported ({@link ClientAddressWebFilter}).
 */
public final class ClientAddress {

	static final String ATTR = ClientAddress.class.getName();

	private static final String UNKNOWN = "unknown";

	private ClientAddress() {
	}

	public static String of(ServerWebExchange exchange) {
		String resolved = exchange.getAttribute(ATTR);
		return resolved != null ? resolved : peer(exchange);
	}

	static String peer(ServerWebExchange exchange) {
		InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
		if (remote == null) {
			return UNKNOWN;
		}
		return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
	}

}
