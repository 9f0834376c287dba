package io.cryoprotect.gateway.edge;

import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import io.cryoprotect.gateway.chain.GatewayStage;
import io.cryoprotect.gateway.errors.ProblemException;
import io.cryoprotect.gateway.errors.ProblemType;
import io.cryoprotect.gateway.support.CappedBodyRequest;
import io.cryoprotect.gateway.support.RequestBodyTimeoutException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpVersion;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.netty.http.server.HttpServerRequest;
import reactor.util.context.Context;

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
 * URL length (414), header size and count (431), underscore header names and unsafe paths
 * (400), and bodies over the cap (413), by {@code Content-Length} up front or, for
 * chunked bodies, the moment the streamed total passes the cap.
 */
@Component
class EdgeLimitsWebFilter implements WebFilter, Ordered {

	private static final Map<String, String> CLOSE = Map.of(HttpHeaders.CONNECTION, "close");

	/** Reactor's context key of a subscriber-local {@code onErrorDropped} hook. */
	private static final String ON_ERROR_DROPPED_KEY = "reactor.onErrorDropped.local";

	private static final Function<Context, Context> BODY_TIMEOUT_DROPPED = context -> context.put(ON_ERROR_DROPPED_KEY,
			(Consumer<Throwable>) EdgeLimitsWebFilter::dropped);

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
		HeaderCheck headers = ServerHttpRequestDecorator.getNativeRequest(request) instanceof HttpServerRequest netty
				? checkHeaders(netty.requestHeaders().iteratorCharSequence(), netty.version() == HttpVersion.HTTP_1_0)
				: checkHeaders(lines(request.getHeaders()), false);
		if (headers.problem() != null) {
			return reject(headers.type(), headers.problem());
		}
		if (headers.hostProblem() != null) {
			// RFC 9112 section 3.2: the request is answered 400 and goes nowhere; what
			// follows it on the connection
			// cannot be trusted to be framed as its sender meant either.
			return Mono.error(
					new ProblemException(ProblemType.BAD_REQUEST, headers.hostProblem(), Map.of(), null, null, CLOSE));
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
			return chain
				.filter(exchange.mutate()
					.request(new CappedBodyRequest(request, maxBodySize,
							() -> new ProblemException(ProblemType.PAYLOAD_TOO_LARGE, tooLarge())))
					.build())
				.contextWrite(BODY_TIMEOUT_DROPPED);
		}
		return contentLength > 0 ? chain.filter(exchange).contextWrite(BODY_TIMEOUT_DROPPED) : chain.filter(exchange);
	}

	/**
	 * Reactor Netty signals a body cut off by {@link RequestReadGuard} to its reader, and
	 * once more when the exchange ends; Reactor drops the second signal and, by default,
	 * logs it as an ERROR, one per stalled body. The cut is already answered (408) and
	 * counted, so that copy is let go here, through Reactor's subscriber-local
	 * dropped-error hook; any other dropped error goes on to Reactor's global handling.
	 */
	private static void dropped(Throwable error) {
		if (!(error instanceof RequestBodyTimeoutException)) {
			Operators.onErrorDropped(error, Context.empty());
		}
	}

	/**
	 * A header problem of the given type, or else one with the Host header (null when
	 * neither).
	 */
	private record HeaderCheck(ProblemType type, String problem, String hostProblem) {
	}

	private static final HeaderCheck HEADERS_OK = new HeaderCheck(null, null, null);

	/**
	 * Netty's header lines as they arrived, one entry per line, read without copying them
	 * into lists: their names, count and size, and the Host header that RFC 9112 section
	 * 3.2 requires exactly once of an HTTP/1.1 request, with a valid {@code host[:port]},
	 * and allows an HTTP/1.0 one to leave out.
	 */
	private HeaderCheck checkHeaders(Iterator<Map.Entry<CharSequence, CharSequence>> lines, boolean http10) {
		long size = 0;
		int count = 0;
		int hosts = 0;
		CharSequence host = null;
		while (lines.hasNext()) {
			Map.Entry<CharSequence, CharSequence> line = lines.next();
			CharSequence name = line.getKey();
			if (indexOfUnderscore(name) >= 0) {
				return new HeaderCheck(ProblemType.BAD_REQUEST, underscore(name), null);
			}
			if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) {
				hosts++;
				host = line.getValue();
			}
			count++;
			size += name.length() + line.getValue().length() + 4;
		}
		String sizeProblem = sizeProblem(count, size);
		if (sizeProblem != null) {
			return new HeaderCheck(ProblemType.HEADERS_TOO_LARGE, sizeProblem, null);
		}
		if (hosts > 1) {
			return new HeaderCheck(null, null, "The request has " + hosts + " Host headers; it must have one.");
		}
		if (hosts == 0) {
			return http10 ? HEADERS_OK : new HeaderCheck(null, null, "An HTTP/1.1 request must have a Host header.");
		}
		return HostHeader.isValid(host) ? HEADERS_OK
				: new HeaderCheck(null, null, "The Host header is not a valid host[:port].");
	}

	/**
	 * Spring's view of the headers (off Reactor Netty), one entry per line like Netty's.
	 */
	private static Iterator<Map.Entry<CharSequence, CharSequence>> lines(HttpHeaders headers) {
		return headers.headerSet()
			.stream()
			.flatMap(header -> header.getValue()
				.stream()
				.map(value -> Map.<CharSequence, CharSequence>entry(header.getKey(), value)))
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
		return GatewayStage.EDGE_LIMITS.order();
	}

	/**
	 * Constant: WebFlux names each request's filter checkpoint by toString(), per
	 * request.
	 */
	@Override
	public String toString() {
		return "EdgeLimitsWebFilter";
	}

}
