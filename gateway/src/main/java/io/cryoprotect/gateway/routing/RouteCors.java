package io.cryoprotect.gateway.routing;

import java.util.List;

import io.cryoprotect.gateway.errors.ProblemException;
import io.cryoprotect.gateway.errors.ProblemType;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsProcessor;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.cors.reactive.DefaultCorsProcessor;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;

/**
 * CORS of a route whose file has a {@code cors:} block, answered by the gateway with
 * Spring's {@link DefaultCorsProcessor}: a preflight is answered here and never
 * forwarded; a CORS request from an allowed origin is forwarded and its response carries
 * the gateway's {@code Access-Control-*} headers in place of any the upstream sent; a
 * disallowed origin, method or header is a 403 problem. Routes without the block never
 * come here: their preflights and CORS headers pass to and from the upstream untouched.
 */
final class RouteCors {

	/** The response headers the gateway owns on a route that answers CORS itself. */
	private static final List<String> ANSWERED = List.of(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN,
			HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS,
			HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS,
			HttpHeaders.ACCESS_CONTROL_MAX_AGE, "Access-Control-Allow-Private-Network");

	private final CorsProcessor processor = new DefaultCorsProcessor();

	/**
	 * The route file's block as Spring's configuration; unset lists take Spring's permit
	 * defaults (methods GET, HEAD, POST; any header; max age 1800 s), origins never: the
	 * validator demands them.
	 * @throws IllegalArgumentException for what Spring refuses, e.g. credentials with
	 * origin {@code *}
	 */
	static CorsConfiguration configuration(RouteFile.Cors cors) {
		CorsConfiguration config = new CorsConfiguration();
		config.setAllowedOrigins(cors.allowedOrigins());
		config.setAllowedOriginPatterns(cors.allowedOriginPatterns());
		config.setAllowedMethods(cors.allowedMethods());
		config.setAllowedHeaders(cors.allowedHeaders());
		config.setExposedHeaders(cors.exposedHeaders());
		config.setAllowCredentials(cors.allowCredentials());
		config.setMaxAge(cors.maxAge());
		config.applyPermitDefaultValues();
		config.validateAllowCredentials();
		return config;
	}

	/**
	 * Answers a preflight, or checks a CORS request and hands it to {@code handler} with
	 * the route's headers set on whatever response goes back (the upstream's, or an error
	 * the gateway answers).
	 */
	Mono<Void> handle(ServerWebExchange exchange, CorsConfiguration config, WebHandler handler) {
		ServerHttpRequest request = exchange.getRequest();
		ServerHttpResponse response = exchange.getResponse();
		if (!processor.process(config, exchange)) {
			return Mono.error(new ProblemException(ProblemType.FORBIDDEN, refusal(request)));
		}
		if (CorsUtils.isPreFlightRequest(request)) {
			return response.setComplete();
		}
		response.beforeCommit(() -> {
			// The upstream may answer CORS too: its headers would contradict or duplicate
			// the route's.
			HttpHeaders headers = response.getHeaders();
			ANSWERED.forEach(headers::remove);
			processor.process(config, exchange);
			return Mono.empty();
		});
		return handler.handle(exchange);
	}

	private static String refusal(ServerHttpRequest request) {
		HttpHeaders headers = request.getHeaders();
		String origin = headers.getOrigin();
		HttpMethod method = CorsUtils.isPreFlightRequest(request) ? headers.getAccessControlRequestMethod()
				: request.getMethod();
		String what = "Cross-origin " + (method == null ? "" : method.name() + " ") + "request from origin '" + origin
				+ "'";
		List<String> requested = CorsUtils.isPreFlightRequest(request) ? headers.getAccessControlRequestHeaders()
				: List.of();
		return what + (requested.isEmpty() ? "" : " with headers " + requested)
				+ " is not allowed by this route's CORS configuration.";
	}

}
