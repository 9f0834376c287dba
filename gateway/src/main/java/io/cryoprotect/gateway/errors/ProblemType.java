package io.cryoprotect.gateway.errors;

import org.springframework.http.HttpStatus;

/**
 * The kinds of error the gateway itself answers with, each with one status and a stable
 * {@code type} URI, so clients can branch on the type rather than parse the text.
 */
public enum ProblemType {

	BAD_REQUEST(HttpStatus.BAD_REQUEST, "bad-request", "Bad request"),
	VALIDATION_FAILED(HttpStatus.BAD_REQUEST, "validation-failed", "Request validation failed"),
	UNAUTHORIZED(HttpStatus.UNAUTHORIZED, "unauthorized", "Authentication required"),
	FORBIDDEN(HttpStatus.FORBIDDEN, "forbidden", "Forbidden"),
	NO_ROUTE(HttpStatus.NOT_FOUND, "no-route", "No route matches this request"),
	/** No valid route set has loaded yet: the gateway cannot tell which routes exist. */
	NOT_READY(HttpStatus.SERVICE_UNAVAILABLE, "not-ready", "Gateway not ready"),
	METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed"),
	/**
	 * The request head or body did not arrive within the edge's timeouts; the connection
	 * is closed.
	 */
	REQUEST_TIMEOUT(HttpStatus.REQUEST_TIMEOUT, "request-timeout", "Request timed out"),
	PAYLOAD_TOO_LARGE(HttpStatus.PAYLOAD_TOO_LARGE, "payload-too-large", "Request body too large"),
	URI_TOO_LONG(HttpStatus.URI_TOO_LONG, "uri-too-long", "Request URI too long"),
	UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type"),
	HEADERS_TOO_LARGE(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers-too-large", "Request headers too large"),
	RATE_LIMITED(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Too many requests"),
	INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal gateway error"),
	UPSTREAM_UNREACHABLE(HttpStatus.BAD_GATEWAY, "upstream-unreachable", "Upstream unreachable"),
	/**
	 * The picked colour's circuit breaker is open (and no fallback could take the
	 * request).
	 */
	UPSTREAM_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "upstream-unavailable", "Upstream unavailable"),
	/**
	 * Every colour of the service with weight fails its active health check, and so does
	 * the route's fallback.
	 */
	NO_HEALTHY_UPSTREAM(HttpStatus.SERVICE_UNAVAILABLE, "no-healthy-upstream", "No healthy upstream"),
	/** The upstream colour's connection pool and its pending queue are full. */
	UPSTREAM_SATURATED(HttpStatus.SERVICE_UNAVAILABLE, "upstream-saturated", "Upstream saturated"),
	UPSTREAM_TIMEOUT(HttpStatus.GATEWAY_TIMEOUT, "upstream-timeout", "Upstream timed out");

	private static final String TYPE_PREFIX = "https://cryoprotect.io/problems/";

	private final HttpStatus status;

	private final String slug;

	private final String type;

	private final String title;

	ProblemType(HttpStatus status, String slug, String title) {
		this.status = status;
		this.slug = slug;
		this.type = TYPE_PREFIX + slug;
		this.title = title;
	}

	public HttpStatus status() {
		return status;
	}

	/** The last segment of {@link #type()}, e.g. {@code rate-limited}. */
	public String slug() {
		return slug;
	}

	public String type() {
		return type;
	}

	public String title() {
		return title;
	}

}
