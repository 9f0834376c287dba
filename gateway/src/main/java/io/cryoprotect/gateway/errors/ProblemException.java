package io.cryoprotect.gateway.errors;

import java.util.Map;

/**
 * An error the gateway answers itself. Filters signal it with {@code Mono.error(...)};
 * {@link ProblemExceptionHandler} renders it in the route's {@link ErrorShape} (RFC 9457
 * {@code application/problem+json}, or Flask's or RDKit's error JSON). {@code extensions}
 * become extra members of the body (RFC 9457 section 3.2).
 */
public class ProblemException extends RuntimeException {

	private final ProblemType problemType;

	private final Map<String, Object> extensions;

	private final Long retryAfterSeconds;

	private final Map<String, String> headers;

	public ProblemException(ProblemType problemType, String detail) {
		this(problemType, detail, Map.of(), null, null);
	}

	public ProblemException(ProblemType problemType, String detail, Throwable cause) {
		this(problemType, detail, Map.of(), null, cause);
	}

	public ProblemException(ProblemType problemType, String detail, Map<String, Object> extensions,
			Long retryAfterSeconds, Throwable cause) {
		this(problemType, detail, extensions, retryAfterSeconds, cause, Map.of());
	}

	/**
	 * With {@code headers} sent on the error response, e.g. a 429's {@code RateLimit}
	 * headers.
	 */
	public ProblemException(ProblemType problemType, String detail, Map<String, Object> extensions,
			Long retryAfterSeconds, Throwable cause, Map<String, String> headers) {
		super(detail, cause, false, false);
		this.problemType = problemType;
		this.extensions = extensions;
		this.retryAfterSeconds = retryAfterSeconds;
		this.headers = headers;
	}

	public ProblemType problemType() {
		return problemType;
	}

	public Map<String, Object> extensions() {
		return extensions;
	}

	/**
	 * Seconds a client should wait before retrying, sent as {@code Retry-After}; null for
	 * none.
	 */
	public Long retryAfterSeconds() {
		return retryAfterSeconds;
	}

	/** Extra response headers of the error answer. */
	public Map<String, String> headers() {
		return headers;
	}

}
