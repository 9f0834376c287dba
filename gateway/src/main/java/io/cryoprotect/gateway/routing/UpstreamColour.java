package io.cryoprotect.gateway.routing;

import java.net.URI;

/**
 * One colour of a route's upstream after validation: its name, resolved base URI and
 * weight. {@code origin} is the scheme, host and port as a string, so that picking a
 * colour needs no URI builder on the request path.
 */
public record UpstreamColour(String name, URI uri, String origin, int weight) {

	public static UpstreamColour of(String name, URI uri, int weight) {
		String origin = uri.getScheme() + "://" + uri.getRawAuthority();
		return new UpstreamColour(name, uri, origin, weight);
	}

	/**
	 * The request URL with this colour's scheme, host and port, keeping path and query.
	 */
	public URI retarget(URI requestUrl) {
		String rawPath = requestUrl.getRawPath();
		String rawQuery = requestUrl.getRawQuery();
		StringBuilder sb = new StringBuilder(origin.length() + rawPath.length() + 32).append(origin).append(rawPath);
		if (rawQuery != null) {
			sb.append('?').append(rawQuery);
		}
		return URI.create(sb.toString());
	}

}
