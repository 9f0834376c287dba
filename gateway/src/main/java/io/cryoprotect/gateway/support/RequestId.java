package io.cryoprotect.gateway.support;

import org.springframework.web.server.ServerWebExchange;

/**
 * The request id: a well-formed client {@code X-Request-Id} is kept, anything else is
 * replaced by a generated one. It is forwarded upstream, returned to the client and put
 * into every error body and log line about the request. The request-id filter
 * (observability) decides it and writes it into {@link RequestState#requestId(String)}.
 */
public final class RequestId {

	public static final String HEADER = "X-Request-Id";

	private RequestId() {
	}

	/** The id of this exchange, or {@code "-"} before the request id filter ran. */
	public static String of(ServerWebExchange exchange) {
		String id = RequestState.of(exchange).requestId();
		return id == null ? "-" : id;
	}

	/**
	 * Sets the response header again, e.g. after an error handler cleared the headers.
	 */
	public static void echo(ServerWebExchange exchange) {
		String id = RequestState.of(exchange).requestId();
		if (id != null) {
			exchange.getResponse().getHeaders().set(HEADER, id);
		}
	}

}
