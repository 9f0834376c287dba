package io.cryoprotect.gateway.support;

import java.net.URI;

/**
 * The colour routing picked for a request, as the stages after it read it. Routing writes
 * it ({@link RequestState#pick(ColourPick)}) and answers for its route's other colours:
 * the resilience policy asks it for the route's fallback colour instead of changing the
 * pick.
 */
public interface ColourPick {

	/** The picked colour of the route's service. */
	UpstreamTarget target();

	/**
	 * False when no colour with weight passes its health check: {@link #target()} is then
	 * the colour that owns the request's bucket, and only the route's fallback may take
	 * the request.
	 */
	boolean healthy();

	/**
	 * The route's colour {@code colour} of the same service, with {@code url} pointed at
	 * it (path and query kept); null when the route has no colour of that name.
	 */
	Retarget colour(String colour, URI url);

	/** A colour to send the request to instead, and the request's URL pointed at it. */
	record Retarget(UpstreamTarget target, URI url) {
	}

}
