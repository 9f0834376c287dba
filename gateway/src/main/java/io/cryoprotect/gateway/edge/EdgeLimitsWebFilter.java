package io.cryoprotect.gateway.edge;

import java.util.Iterator;
import java.util.Map;

import io.cryoprotect.gateway.errors.ProblemException;
import io.cryoprotect.gateway.errors.ProblemType;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
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
		String headerProblem = ServerHttpRequestDecorator.getNativeRequest(request) instanceof HttpServerRequest netty
				? checkHeaders(netty.requestHeaders().iteratorCharSequence())
				: checkHeaders(lines(request.getHeaders()));
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

	/** Netty's header lines as they arrived, one entry per line, read without copying them into lists. */
	private String checkHeaders(Iterator<Map.Entry<CharSequence, CharSequence>> lines) {
		long size = 0;
		int count = 0;
		while (lines.hasNext()) {
			Map.Entry<CharSequence, CharSequence> line = lines.next();
			CharSequence name = line.getKey();
			if (indexOfUnderscore(name) >= 0) {
				return underscore(name);
			}
			count++;
			size += name.length() + line.getValue().length() + 4;
		}
		return sizeProblem(count, size);
	}

	/** Spring's view of the headers (off Reactor Netty), one entry per line like Netty's. */
	private static Iterator<Map.Entry<CharSequence, CharSequence>> lines(HttpHeaders headers) {
		return headers.headerSet()
			.stream()
			.flatMap(header -> header.getValue().stream().map(value -> Map.<CharSequence, CharSequence>entry(header.getKey(), value)))
			.iterator();
	}

	private static int indexOfUnderscore(CharSequence name) {
		for (int i = 0; i < name.length(); i++) {
			if (name.charAt(i) == '_') {
				return i;
			}
		}
		return -1;
	}

	private static String underscore(CharSequence name) {
		return "Header names with underscores are not accepted (" + name + ").";
	}

	private String sizeProblem(int count, long size) {
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

	/** Constant: WebFlux names each request's filter checkpoint by toString(), per request. */
	@Override
	public String toString() {
		return "EdgeLimitsWebFilter";
	}

}
