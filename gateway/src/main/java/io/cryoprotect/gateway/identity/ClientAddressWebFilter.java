package io.cryoprotect.gateway.identity;

import java.util.ArrayList;
import java.util.List;

import io.cryoprotect.gateway.chain.GatewayStage;
import io.cryoprotect.gateway.support.IpLiteral;
import io.cryoprotect.gateway.support.RequestState;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Determines the client address once per request ({@link RequestState#clientAddress()}).
 * {@code X-Forwarded-For} and {@code Forwarded} are believed only when the socket peer is
 * a trusted proxy, and then only up to the first hop that is not itself trusted, so a
 * client cannot choose its own address (and dodge per-IP limits) by sending those
 * headers.
 */
class ClientAddressWebFilter implements WebFilter, Ordered {

	private final TrustedProxies trusted;

	ClientAddressWebFilter(TrustedProxies trusted) {
		this.trusted = trusted;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (!trusted.isEmpty()) {
			RequestState state = RequestState.of(exchange);
			String peer = state.peerAddress();
			if (trusted.contains(peer)) {
				state.clientAddress(forwardedClient(exchange.getRequest().getHeaders(), peer));
			}
		}
		return chain.filter(exchange);
	}

	/**
	 * Walks the forwarding chain from the nearest hop back to the first untrusted one.
	 */
	String forwardedClient(HttpHeaders headers, String peer) {
		List<String> hops = hops(headers);
		String client = peer;
		for (int i = hops.size() - 1; i >= 0; i--) {
			String hop = hops.get(i);
			if (IpLiteral.bytes(hop) == null) {
				// Unparseable: the nearest trusted proxy is the last address we can vouch
				// for.
				return client;
			}
			client = hop;
			if (!trusted.contains(hop)) {
				return hop;
			}
		}
		return client;
	}

	private static List<String> hops(HttpHeaders headers) {
		List<String> forwardedFor = headers.get("X-Forwarded-For");
		List<String> hops = new ArrayList<>();
		if (forwardedFor != null) {
			for (String line : forwardedFor) {
				for (String part : line.split(",")) {
					hops.add(part.trim());
				}
			}
			return hops;
		}
		List<String> forwarded = headers.get("Forwarded");
		if (forwarded != null) {
			for (String line : forwarded) {
				for (String element : line.split(",")) {
					for (String pair : element.split(";")) {
						String p = pair.trim();
						if (p.regionMatches(true, 0, "for=", 0, 4)) {
							String value = p.substring(4).replace("\"", "");
							// Forwarded may carry a port: 192.0.2.1:4711 or
							// "[2001:db8::1]:4711".
							if (value.startsWith("[")) {
								int end = value.indexOf(']');
								value = end > 0 ? value.substring(1, end) : value;
							}
							else if (value.indexOf(':') == value.lastIndexOf(':') && value.indexOf(':') > 0) {
								value = value.substring(0, value.indexOf(':'));
							}
							hops.add(value);
						}
					}
				}
			}
		}
		return hops;
	}

	@Override
	public int getOrder() {
		return GatewayStage.CLIENT_ADDRESS.order();
	}

	/**
	 * Constant: WebFlux names each request's filter checkpoint by toString(), per
	 * request.
	 */
	@Override
	public String toString() {
		return "ClientAddressWebFilter";
	}

}
