package io.cryoprotect.gateway.errors;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import io.cryoprotect.gateway.support.RequestBodyTimeoutException;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import reactor.netty.channel.AbortedException;
import reactor.netty.http.client.PrematureCloseException;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ResponseStatusException;

/**
 * The one place that decides which status and problem type a failure becomes: validation
 * 400, auth 401/403, no route 404, late request body 408, too large 413, media type 415,
 * headers 431, rate limit 429, connect/reset 502, unavailable 503, upstream timeout 504,
 * anything unforeseen 500.
 */
public final class ErrorMap {

	private static final Map<String, String> CLOSE = Map.of(HttpHeaders.CONNECTION, "close");

	private ErrorMap() {
	}

	public static ProblemException toProblem(Throwable error) {
		if (error instanceof ProblemException problem) {
			return problem;
		}
		if (error instanceof ResponseStatusException status) {
			return fromStatus(status);
		}
		if (error instanceof DataBufferLimitException) {
			return new ProblemException(ProblemType.PAYLOAD_TOO_LARGE, "The request body exceeds the allowed size.",
					error);
		}
		Throwable cause = error;
		for (int depth = 0; cause != null && depth < 8; depth++, cause = cause.getCause()) {
			if (cause instanceof RequestBodyTimeoutException) {
				return bodyTimedOut(error);
			}
			if (isPoolExhausted(cause)) {
				return new ProblemException(ProblemType.UPSTREAM_SATURATED,
						"The upstream service has no free connection; try again shortly.", error);
			}
			if (cause instanceof ConnectTimeoutException || cause instanceof TimeoutException
					|| cause instanceof ReadTimeoutException) {
				return new ProblemException(ProblemType.UPSTREAM_TIMEOUT,
						"The upstream service did not answer in time.", error);
			}
			if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
					|| cause instanceof UnknownHostException) {
				return new ProblemException(ProblemType.UPSTREAM_UNREACHABLE,
						"The upstream service could not be reached.", error);
			}
			if (cause instanceof PrematureCloseException || cause instanceof ClosedChannelException
					|| AbortedException.isConnectionReset(cause)) {
				return new ProblemException(ProblemType.UPSTREAM_UNREACHABLE,
						"The upstream service closed the connection before answering.", error);
			}
		}
		return new ProblemException(ProblemType.INTERNAL, "The gateway failed to handle this request.", error);
	}

	/**
	 * The answer to a request whose body the edge cut off for stalling, whatever
	 * {@code error} the cut caused downstream: 408, and the connection closed after it,
	 * since the rest of the body may still be on its way.
	 */
	public static ProblemException bodyTimedOut(Throwable error) {
		return new ProblemException(ProblemType.REQUEST_TIMEOUT, "The request body did not arrive in time.", Map.of(),
				null, error, CLOSE);
	}

	/**
	 * Reactor Netty's pool rejections (the gateway's own pool is full, not the upstream's
	 * fault); their classes are shaded internals, so they are matched by name.
	 */
	public static boolean isPoolExhausted(Throwable cause) {
		String name = cause.getClass().getSimpleName();
		return name.equals("PoolAcquireTimeoutException") || name.equals("PoolAcquirePendingLimitException");
	}

	private static ProblemException fromStatus(ResponseStatusException ex) {
		int code = ex.getStatusCode().value();
		ProblemType type = switch (code) {
			case 400 -> ProblemType.BAD_REQUEST;
			case 401 -> ProblemType.UNAUTHORIZED;
			case 403 -> ProblemType.FORBIDDEN;
			case 404 -> ProblemType.NO_ROUTE;
			case 405 -> ProblemType.METHOD_NOT_ALLOWED;
			case 408 -> ProblemType.REQUEST_TIMEOUT;
			case 413 -> ProblemType.PAYLOAD_TOO_LARGE;
			case 414 -> ProblemType.URI_TOO_LONG;
			case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
			case 429 -> ProblemType.RATE_LIMITED;
			case 431 -> ProblemType.HEADERS_TOO_LARGE;
			case 502 -> ProblemType.UPSTREAM_UNREACHABLE;
			case 503 -> ProblemType.UPSTREAM_UNAVAILABLE;
			case 504 -> ProblemType.UPSTREAM_TIMEOUT;
			default -> code >= 500 ? ProblemType.INTERNAL : ProblemType.BAD_REQUEST;
		};
		String detail = type == ProblemType.NO_ROUTE ? "No route matches this path and method."
				: type == ProblemType.UPSTREAM_TIMEOUT ? "The upstream service did not answer in time."
						: ex.getReason() != null && code < 500 ? ex.getReason()
								: "The request failed with status " + code + ".";
		return new ProblemException(type, detail, ex);
	}

}
