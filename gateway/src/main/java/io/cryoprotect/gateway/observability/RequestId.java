package io.cryoprotect.gateway.observability;

import java.util.concurrent.ThreadLocalRandom;

import io.cryoprotect.gateway.support.RequestState;

import org.springframework.web.server.ServerWebExchange;

/**
 * The request id: a well-formed client {@code X-Request-Id} is kept, anything else is
 * replaced by a generated one. It is forwarded upstream, returned to the client and put
 * into every error body and log line about the request.
 */
public final class RequestId {

	public static final String HEADER = "X-Request-Id";

	private static final int MAX_LENGTH = 128;

	private static final char[] HEX = "0123456789abcdef".toCharArray();

	private RequestId() {
	}

	/** The id of this exchange, or {@code "-"} before the request id filter ran. */
	public static String of(ServerWebExchange exchange) {
		String id = RequestState.of(exchange).requestId();
		return id == null ? "-" : id;
	}

	/** Sets the response header again, e.g. after an error handler cleared the headers. */
	public static void echo(ServerWebExchange exchange) {
		String id = RequestState.of(exchange).requestId();
		if (id != null) {
			exchange.getResponse().getHeaders().set(HEADER, id);
		}
	}

	/** Letters, digits and {@code -_.:}, 1 to 128 characters: safe in headers, logs and JSON. */
	static boolean isWellFormed(String id) {
		if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
			return false;
		}
		for (int i = 0; i < id.length(); i++) {
			char c = id.charAt(i);
			boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
					|| c == '_' || c == '.' || c == ':';
			if (!ok) {
				return false;
			}
		}
		return true;
	}

	/** 128 random bits as 32 hex digits; unique enough for correlation, cheaper than a UUID. */
	static String generate() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		char[] out = new char[32];
		long hi = random.nextLong();
		long lo = random.nextLong();
		for (int i = 0; i < 16; i++) {
			out[15 - i] = HEX[(int) (hi >>> (i * 4)) & 0xF];
			out[31 - i] = HEX[(int) (lo >>> (i * 4)) & 0xF];
		}
		return new String(out);
	}

}
