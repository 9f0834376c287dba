package io.cryoprotect.gateway.observability;

import java.util.concurrent.ThreadLocalRandom;

import io.cryoprotect.gateway.chain.GatewayStage;
import io.cryoprotect.gateway.support.RequestId;
import io.cryoprotect.gateway.support.RequestState;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Runs first on every public request so that even edge rejections carry a request id; it
 * creates the request's {@link RequestState} and writes the id there. W3C
 * {@code traceparent} needs no work here: it is forwarded like any end-to-end header.
 */
@Component
class RequestIdWebFilter implements WebFilter, Ordered {

	private static final int MAX_LENGTH = 128;

	private static final char[] HEX = "0123456789abcdef".toCharArray();

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String offered = exchange.getRequest().getHeaders().getFirst(RequestId.HEADER);
		String id = isWellFormed(offered) ? offered : generate();
		// The upstream gets it from the proxy's RequestIdHeaderContributor, on the
		// headers built for the upstream request.
		RequestState.of(exchange).requestId(id);
		exchange.getResponse().getHeaders().set(RequestId.HEADER, id);
		return chain.filter(exchange);
	}

	/**
	 * Letters, digits and {@code -_.:}, 1 to 128 characters: safe in headers, logs and
	 * JSON.
	 */
	private static boolean isWellFormed(String id) {
		if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
			return false;
		}
		for (int i = 0; i < id.length(); i++) {
			char c = id.charAt(i);
			boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
					|| c == '_' || c == '.' || c == ':';
			if (!ok) {
				return false;
			}
		}
		return true;
	}

	/**
	 * 128 random bits as 32 hex digits; unique enough for correlation, cheaper than a
	 * UUID.
	 */
	private static String generate() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		char[] out = new char[32];
		long hi = random.nextLong();
		long lo = random.nextLong();
		for (int i = 0; i < 16; i++) {
			out[15 - i] = HEX[(int) (hi >>> (i * 4)) & 0xF];
			out[31 - i] = HEX[(int) (lo >>> (i * 4)) & 0xF];
		}
		return new String(out);
	}

	@Override
	public int getOrder() {
		return GatewayStage.REQUEST_ID.order();
	}

	/**
	 * Constant: WebFlux names each request's filter checkpoint by toString(), per
	 * request.
	 */
	@Override
	public String toString() {
		return "RequestIdWebFilter";
	}

}
