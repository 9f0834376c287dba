package io.cryoprotect.gateway.identity;

import java.util.ArrayList;
import java.util.List;

import io.cryoprotect.gateway.chain.GatewayStage;
import io.cryoprotect.gateway.errors.ProblemException;
import io.cryoprotect.gateway.errors.ProblemType;
import io.cryoprotect.gateway.observability.RequestTrace;
import io.cryoprotect.gateway.support.Caller;
import io.cryoprotect.gateway.support.Preflight;
import io.cryoprotect.gateway.support.RequestState;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Establishes who the caller is, only on routed requests and only when a token is
 * presented ({@code Authorization: Bearer} or the {@code access_token} cookie): a token
 * that verifies makes the caller known ({@link Caller}); one that does not (bad
 * signature, expired, {@code alg: none}, wrong issuer or audience) is refused with 401,
 * never downgraded to anonymous. Endpoints listed as authenticated refuse anonymous
 * callers with 401.
 */
final class JwtIdentityFilter implements GlobalFilter, Ordered {

	private static final Log logger = LogFactory.getLog(JwtIdentityFilter.class);

	private static final String BEARER = "Bearer ";

	private static final String COOKIE = "access_token";

	private record Endpoint(HttpMethod method, PathPattern pattern) {
	}

	private final JwtVerifier verifier;

	private final List<Endpoint> authenticated;

	JwtIdentityFilter(JwtVerifier verifier, List<String> authenticatedEndpoints) {
		this.verifier = verifier;
		this.authenticated = new ArrayList<>();
		for (String entry : authenticatedEndpoints) {
			String[] parts = entry.trim().split("\\s+", 2);
			if (parts.length != 2 || !parts[1].startsWith("/")) {
				throw new IllegalArgumentException(
						"gateway.identity.authenticated-endpoints: '" + entry + "' is not 'METHOD /path-pattern'");
			}
			authenticated
				.add(new Endpoint(HttpMethod.valueOf(parts[0]), PathPatternParser.defaultInstance.parse(parts[1])));
		}
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		long start = System.nanoTime();
		ServerHttpRequest request = exchange.getRequest();
		if (Preflight.is(request)) {
			// Browsers send preflights without credentials: one never needs a token, nor
			// is refused for one.
			return chain.filter(exchange);
		}
		String token = token(request);
		if (token == null || !verifier.enabled()) {
			return requiresAuthentication(request)
					? Mono.error(unauthorized("This endpoint needs a valid access token.")) : chain.filter(exchange);
		}
		return verifier.verify(token).onErrorMap(JwtVerifier.InvalidTokenException.class, ex -> {
			if (logger.isDebugEnabled()) {
				logger.debug("Token refused: " + ex.getMessage());
			}
			return unauthorized("The access token is not valid.");
		}).flatMap(caller -> {
			RequestState.of(exchange).caller(caller);
			RequestTrace.record(exchange, RequestTrace.Phase.IDENTITY, System.nanoTime() - start);
			return chain.filter(exchange);
		});
	}

	private boolean requiresAuthentication(ServerHttpRequest request) {
		for (Endpoint endpoint : authenticated) {
			if (endpoint.method().equals(request.getMethod())
					&& endpoint.pattern().matches(request.getPath().pathWithinApplication())) {
				return true;
			}
		}
		return false;
	}

	private static String token(ServerHttpRequest request) {
		String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
		if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			String token = authorization.substring(BEARER.length()).trim();
			return token.isEmpty() ? null : token;
		}
		HttpCookie cookie = request.getCookies().getFirst(COOKIE);
		return cookie == null || cookie.getValue().isEmpty() ? null : cookie.getValue();
	}

	private static ProblemException unauthorized(String detail) {
		return new ProblemException(ProblemType.UNAUTHORIZED, detail);
	}

	@Override
	public int getOrder() {
		return GatewayStage.IDENTITY.order();
	}

}
