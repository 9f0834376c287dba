package io.cryoprotect.gateway.validation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import io.cryoprotect.gateway.chain.GatewayStage;
import io.cryoprotect.gateway.configfile.PolicyMode;
import io.cryoprotect.gateway.errors.ProblemException;
import io.cryoprotect.gateway.errors.ProblemType;
import io.cryoprotect.gateway.observability.RequestTrace;
import io.cryoprotect.gateway.support.CappedBodyRequest;
import io.cryoprotect.gateway.support.Preflight;
import io.cryoprotect.gateway.support.RequestId;
import io.cryoprotect.gateway.support.RequestState;
import io.cryoprotect.gateway.support.ValidationVerdict;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.netty.channel.AbortedException;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * Checks requests to the endpoints of validation.yml before they reach an upstream:
 * content type (415), body size (413), query and path parameters and the JSON body
 * against its schema (400 listing every violation). Requests of other endpoints, or in
 * mode off, pass with no body work at all. A checked body is read once into SCG's body
 * cache and the exact bytes are forwarded; SCG's {@code RemoveCachedBodyFilter} releases
 * the cache on success, error and cancel.
 */
final class ValidationFilter implements GlobalFilter, Ordered {

	/** Bounds the error body for a document that breaks a rule thousands of times. */
	private static final int MAX_LISTED_VIOLATIONS = 100;

	private static final Log logger = LogFactory.getLog(ValidationFilter.class);

	private final Supplier<ValidationConfig> config;

	/**
	 * @param config the live config, read per request (null before one loaded); a request
	 * keeps the one it read
	 */
	ValidationFilter(Supplier<ValidationConfig> config) {
		this.config = config;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
		ServerHttpRequest request = exchange.getRequest();
		// A CORS preflight carries no body or parameters of the real request: never
		// validated.
		ValidationConfig live = config.get();
		ValidationConfig.Match match = live == null || route == null || Preflight.is(request) ? null
				: live.match(route.getId(), request.getMethod(), request.getPath().pathWithinApplication());
		if (match == null) {
			return chain.filter(exchange);
		}
		long start = System.nanoTime();
		EndpointRule rule = match.rule();
		List<Violation> violations = new ArrayList<>(
				rule.parameterViolations(request.getQueryParams(), match.pathVariables()));
		if (!rule.readsBody()) {
			return decide(exchange, chain, rule, violations, start);
		}
		if (request.getHeaders().getContentLength() > rule.maxBodyBytes()) {
			rule.meters().rejected().increment();
			return Mono.error(tooLarge(rule));
		}
		// Size before type: a chunked body must be read to learn its size, and 413 wins
		// over 415.
		return CappedBodyRequest.cacheBody(exchange, rule.maxBodyBytes(), () -> tooLarge(rule))
			.doOnError(ProblemException.class, ex -> {
				// The cap of this endpoint, or the edge's, tripped while the body was
				// read.
				if (ex.problemType() == ProblemType.PAYLOAD_TOO_LARGE) {
					rule.meters().rejected().increment();
				}
			})
			.onErrorResume(AbortedException.class, ex -> {
				// The client hung up mid-body: no one is left to answer, and it is no
				// gateway failure.
				if (logger.isDebugEnabled()) {
					logger.debug("Request " + RequestId.of(exchange) + " to endpoint '" + rule.id()
							+ "' was abandoned by the client before its body was complete");
				}
				return Mono.empty();
			})
			.flatMap(cached -> {
				ServerWebExchange next = exchange.mutate().request(cached).build();
				byte[] body = CappedBodyRequest.cachedBytes(exchange);
				if (body.length > rule.maxBodyBytes()) {
					// Cached without our cap by an earlier filter (SCG does so for routes
					// with a Retry filter).
					rule.meters().rejected().increment();
					return Mono.error(tooLarge(rule));
				}
				if (!rule.accepts(contentType(request))) {
					return unsupportedType(next, chain, rule, start);
				}
				violations.addAll(rule.bodyViolations(body));
				return decide(next, chain, rule, violations, start);
			});
	}

	private Mono<Void> decide(ServerWebExchange exchange, GatewayFilterChain chain, EndpointRule rule,
			List<Violation> violations, long start) {
		RequestTrace.record(exchange, RequestTrace.Phase.VALIDATION, System.nanoTime() - start);
		RequestState.of(exchange).validation(violations.isEmpty() ? ValidationVerdict.PASSED : failed(rule));
		if (violations.isEmpty()) {
			rule.meters().valid().increment();
			return forward(exchange, chain, rule);
		}
		if (rule.mode() == PolicyMode.shadow) {
			rule.meters().shadowRejected().increment();
			if (logger.isDebugEnabled()) {
				logger.debug("Request " + RequestId.of(exchange) + " breaks the rules of endpoint '" + rule.id()
						+ "', forwarded in shadow mode: " + violations);
			}
			return forward(exchange, chain, rule);
		}
		rule.meters().rejected().increment();
		return Mono.error(invalid(rule, violations));
	}

	private Mono<Void> unsupportedType(ServerWebExchange exchange, GatewayFilterChain chain, EndpointRule rule,
			long start) {
		RequestTrace.record(exchange, RequestTrace.Phase.VALIDATION, System.nanoTime() - start);
		RequestState.of(exchange).validation(failed(rule));
		String given = exchange.getRequest().getHeaders().getFirst(HttpHeaders.CONTENT_TYPE);
		String detail = (given == null ? "The request has no content type"
				: "Content type '" + abbreviate(given) + "' is not accepted") + "; endpoint '" + rule.id() + "' takes "
				+ rule.contentTypes() + " in UTF-8.";
		if (rule.mode() == PolicyMode.shadow) {
			rule.meters().shadowRejected().increment();
			if (logger.isDebugEnabled()) {
				logger.debug("Request " + RequestId.of(exchange) + " forwarded in shadow mode: " + detail);
			}
			return forward(exchange, chain, rule);
		}
		rule.meters().rejected().increment();
		return Mono.error(new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE, detail));
	}

	private static ValidationVerdict failed(EndpointRule rule) {
		return rule.mode() == PolicyMode.shadow ? ValidationVerdict.SHADOW_FAILED : ValidationVerdict.FAILED;
	}

	private static Mono<Void> forward(ServerWebExchange exchange, GatewayFilterChain chain, EndpointRule rule) {
		if (rule.responseSchema() == null || (rule.responseSampleRate() < 1.0
				&& ThreadLocalRandom.current().nextDouble() >= rule.responseSampleRate())) {
			return chain.filter(exchange);
		}
		return chain.filter(exchange.mutate().response(new CheckedResponse(exchange, rule)).build());
	}

	private static ProblemException invalid(EndpointRule rule, List<Violation> violations) {
		int listed = Math.min(violations.size(), MAX_LISTED_VIOLATIONS);
		List<Map<String, Object>> errors = new ArrayList<>(listed);
		for (int i = 0; i < listed; i++) {
			errors.add(violations.get(i).toMap());
		}
		String count = violations.size() == 1 ? "1 violation" : violations.size() + " violations";
		String detail = "The request breaks the rules of endpoint '" + rule.id() + "': " + count
				+ (listed < violations.size() ? ", the first " + listed + " listed in errors." : ", listed in errors.");
		Map<String, Object> extensions = new LinkedHashMap<>();
		extensions.put("endpoint", rule.id());
		extensions.put("errors", errors);
		return new ProblemException(ProblemType.VALIDATION_FAILED, detail, extensions, null, null);
	}

	/**
	 * The request's content type, or null when it is missing or unparseable (both are
	 * 415).
	 */
	private static MediaType contentType(ServerHttpRequest request) {
		try {
			return request.getHeaders().getContentType();
		}
		catch (InvalidMediaTypeException ex) {
			return null;
		}
	}

	private static String abbreviate(String value) {
		return value.length() <= 100 ? value : value.substring(0, 97) + "...";
	}

	@Override
	public int getOrder() {
		return GatewayStage.VALIDATION.order();
	}

	/** The 413 of an endpoint whose own body cap was passed. */
	private static ProblemException tooLarge(EndpointRule rule) {
		return new ProblemException(ProblemType.PAYLOAD_TOO_LARGE, "The request body exceeds the limit of "
				+ rule.maxBodyBytes() + " bytes for endpoint '" + rule.id() + "'.");
	}

}
