package io.cryoprotect.gateway.errors;

import java.util.LinkedHashMap;
import java.util.Map;

import io.cryoprotect.gateway.observability.RequestId;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

/** Renders a {@link ProblemException} as an RFC 9457 {@code application/problem+json} response. */
public final class ProblemWriter {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private ProblemWriter() {
	}

	public static Mono<Void> write(ServerWebExchange exchange, ProblemException problem) {
		ServerHttpResponse response = exchange.getResponse();
		ProblemType type = problem.problemType();
		response.setStatusCode(type.status());
		HttpHeaders headers = response.getHeaders();
		headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		headers.setCacheControl("no-store");
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", type.type());
		body.put("title", type.title());
		body.put("status", type.status().value());
		body.put("detail", problem.getMessage());
		body.put("instance", exchange.getRequest().getPath().value());
		body.put("requestId", RequestId.of(exchange));
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

}
