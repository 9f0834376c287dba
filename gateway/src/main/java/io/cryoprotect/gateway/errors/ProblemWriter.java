package io.cryoprotect.gateway.errors;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.cryoprotect.gateway.support.RequestId;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ApplicationContext;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

/**
 * Renders a {@link ProblemException} in the {@link ErrorShape} of the exchange's route:
 * the Flask API's or the RDKit service's error JSON, or RFC 9457
 * {@code application/problem+json}. A request whose {@code Accept} names
 * {@code application/problem+json} gets RFC 9457 on any route. Every shape carries the
 * same text ({@code message}, and {@code detail}), the problem type and title, the path
 * ({@code instance}), the request id and the problem's extensions.
 */
public final class ProblemWriter {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Flask's {@code meta.context}: the gateway, not the service, answered. */
	private static final String CONTEXT = "gateway";

	private ProblemWriter() {
	}

	public static Mono<Void> write(ServerWebExchange exchange, ProblemException problem) {
		ServerHttpResponse response = exchange.getResponse();
		ProblemType type = problem.problemType();
		ErrorShape shape = shapeOf(exchange);
		response.setStatusCode(type.status());
		HttpHeaders headers = response.getHeaders();
		headers.setContentType(
				shape == ErrorShape.problem ? MediaType.APPLICATION_PROBLEM_JSON : MediaType.APPLICATION_JSON);
		headers.setCacheControl("no-store");
		Map<String, Object> body = body(shape, exchange, problem);
		if (type == ProblemType.UNAUTHORIZED) {
			headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"cryoprotect\"");
		}
		if (problem.retryAfterSeconds() != null) {
			headers.set(HttpHeaders.RETRY_AFTER, Long.toString(problem.retryAfterSeconds()));
			body.put("retryAfterSeconds", problem.retryAfterSeconds());
		}
		problem.headers().forEach(headers::set);
		problem.extensions().forEach(body::putIfAbsent);
		byte[] bytes = JSON.writeValueAsBytes(body);
		headers.setContentLength(bytes.length);
		DataBuffer buffer = response.bufferFactory().wrap(bytes);
		return response.writeWith(Mono.just(buffer));
	}

	/**
	 * The members every shape has, in the shape's order: first what the shape's clients
	 * read ({@code status}, {@code message}, {@code error}), then the RFC 9457 members
	 * (an integer {@code status} only in {@link ErrorShape#problem}).
	 */
	private static Map<String, Object> body(ErrorShape shape, ServerWebExchange exchange, ProblemException problem) {
		ProblemType type = problem.problemType();
		String text = problem.getMessage();
		Map<String, Object> body = new LinkedHashMap<>();
		switch (shape) {
			case flask -> {
				body.put("status", "error");
				body.put("message", text);
				body.put("error", text);
				body.put("code", type.status().value());
				body.put("meta", Map.of("error_type", type.slug(), "context", CONTEXT));
			}
			case rdkit -> {
				body.put("error", text);
				body.put("message", text);
				body.put("status", "error");
			}
			case problem -> {
			}
		}
		body.put("type", type.type());
		body.put("title", type.title());
		if (shape == ErrorShape.problem) {
			body.put("status", type.status().value());
		}
		body.put("detail", text);
		body.put("instance", exchange.getRequest().getPath().value());
		if (shape == ErrorShape.problem) {
			// An extension member, for the clients that read message whatever the content
			// type.
			body.put("message", text);
		}
		body.put("requestId", RequestId.of(exchange));
		return body;
	}

	/** RFC 9457 when the client asks for it; else the shape of the exchange's route. */
	static ErrorShape shapeOf(ServerWebExchange exchange) {
		if (acceptsProblemJson(exchange.getRequest().getHeaders().get(HttpHeaders.ACCEPT))) {
			return ErrorShape.problem;
		}
		ApplicationContext context = exchange.getApplicationContext();
		ErrorShapeResolver resolver = context == null ? null
				: context.getBeanProvider(ErrorShapeResolver.class).getIfAvailable();
		return resolver == null ? ErrorShape.problem : resolver.shapeOf(exchange);
	}

	/**
	 * Whether an {@code Accept} header names {@code application/problem+json} (not by a
	 * wildcard, not with q=0).
	 */
	static boolean acceptsProblemJson(List<String> accept) {
		if (accept == null) {
			return false;
		}
		try {
			for (MediaType type : MediaType.parseMediaTypes(accept)) {
				if (MediaType.APPLICATION_PROBLEM_JSON.equalsTypeAndSubtype(type) && type.getQualityValue() > 0) {
					return true;
				}
			}
		}
		catch (InvalidMediaTypeException ex) {
			// An unreadable Accept asks for nothing in particular.
		}
		return false;
	}

}
