package io.cryoprotect.gateway.errors;

/**
 * How the gateway's own error answers look on a route (the route file's {@code errors:}
 * key), so that the clients of each service read them as they read the service's own
 * errors. Only the body and its content type differ: {@link ErrorMap} alone decides
 * status, type and text.
 */
public enum ErrorShape {

	/**
	 * The Flask API's error envelope, {@code application/json}: {@code status} is the
	 * string {@code "error"}, {@code message} and {@code error} carry the text,
	 * {@code code} the HTTP status and {@code meta.error_type} the problem type's slug.
	 */
	flask,
	/**
	 * The RDKit service's, {@code application/json}: a string {@code error}, the same
	 * {@code message}.
	 */
	rdkit,
	/** RFC 9457 {@code application/problem+json}, with an integer {@code status}. */
	problem

}
