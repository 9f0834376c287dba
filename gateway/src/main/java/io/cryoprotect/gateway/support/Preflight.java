package io.cryoprotect.gateway.support;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.cors.reactive.CorsUtils;

/**
 * A browser's CORS preflight: {@code OPTIONS} with {@code Origin} and
 * {@code Access-Control-Request-Method}, and no body, since a browser never sends one.
 * The route lookup matches it by the method it asks about, and identity, rate limits and
 * validation let it pass untouched. An {@code OPTIONS} that carries a body is not a
 * preflight, whatever its headers say, so it cannot smuggle a body past validation or
 * limits.
 */
public final class Preflight {

	private Preflight() {
	}

	public static boolean is(ServerHttpRequest request) {
		if (!CorsUtils.isPreFlightRequest(request)) {
			return false;
		}
		HttpHeaders headers = request.getHeaders();
		return headers.getContentLength() <= 0 && !headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
	}

}
