package io.cryoprotect.gateway.edge;

import java.util.List;
import java.util.Map;

import io.cryoprotect.gateway.errors.ProblemException;
import io.cryoprotect.gateway.errors.ProblemType;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Rejects hostile or oversized requests before routing, so they never reach an upstream:
 * URL length (414), header size and count (431), underscore header names and unsafe
 * paths (400), and bodies over the cap (413), by {@code Content-Length} up front or, for
 * chunked bodies, the moment the streamed total passes the cap.
 */
@Component
class EdgeLimitsWebFilter implements WebFilter, Ordered {

	/** Right after the request id filter, so every rejection carries an id. */
	static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

	private final int maxUrlLength;

	private final long maxHeaderSize;

	private final int maxHeaderCount;

	private final long maxBodySize;

	EdgeLimitsWebFilter(EdgeProperties properties) {
		this.maxUrlLength = properties.maxUrlLength();
		this.maxHeaderSize = properties.maxHeaderSize().toBytes();
		this.maxHeaderCount = properties.maxHeaderCount();
		this.maxBodySize = properties.maxBodySize().toBytes();
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		String rawPath = request.getURI().getRawPath();
		String rawQuery = request.getURI().getRawQuery();
		int urlLength = (rawPath == null ? 0 : rawPath.length()) + (rawQuery == null ? 0 : rawQuery.length() + 1);
		if (urlLength > maxUrlLength) {
			return reject(ProblemType.URI_TOO_LONG,
					"The request URI has " + urlLength + " characters; the limit is " + maxUrlLength + ".");
		}
		String headerProblem = checkHeaders(request.getHeaders());
		if (headerProblem != null) {
			ProblemType type = headerProblem.startsWith("Header names") ? ProblemType.BAD_REQUEST
					: ProblemType.HEADERS_TOO_LARGE;
			return reject(type, headerProblem);
		}
		String pathProblem = PathSafety.check(rawPath);
		if (pathProblem != null) {
			return reject(ProblemType.BAD_REQUEST, "The request path is not acceptable: " + pathProblem + ".");
		}
		long contentLength = request.getHeaders().getContentLength();
		if (contentLength > maxBodySize) {
			return reject(ProblemType.PAYLOAD_TOO_LARGE, tooLarge());
		}
		if (contentLength < 0 && request.getHeaders().containsHeader(HttpHeaders.TRANSFER_ENCODING)) {
			return chain.filter(exchange.mutate()
				.request(new CappedBodyRequest(request, maxBodySize,
						() -> new ProblemException(ProblemType.PAYLOAD_TOO_LARGE, tooLarge())))
				.build());
		}
		return chain.filter(exchange);
	}

	private String checkHeaders(HttpHeaders headers) {
		long size = 0;
		int count = 0;
		for (Map.Entry<String, List<String>> header : headers.headerSet()) {
			String name = header.getKey();
			if (name.indexOf('_') >= 0) {
				return "Header names with underscores are not accepted (" + name + ").";
			}
			for (String value : header.getValue()) {
				count++;
				size += name.length() + value.length() + 4;
			}
		}
		if (count > maxHeaderCount) {
			return "The request has " + count + " header lines; the limit is " + maxHeaderCount + ".";
		}
		if (size > maxHeaderSize) {
			return "The request headers take " + size + " bytes; the limit is " + maxHeaderSize + ".";
		}
		return null;
	}

	private String tooLarge() {
		return "The request body exceeds the limit of " + maxBodySize + " bytes.";
	}

	private static Mono<Void> reject(ProblemType type, String detail) {
		return Mono.error(new ProblemException(type, detail));
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

}
