package io.cryoprotect.gateway.routing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.cryoprotect.gateway.errors.ErrorShape;

/**
 * The operator-facing route file format ({@code routes/*.yml}); its JSON Schema is
 * {@code routes/route-file.schema.json}. Keys are strict: anything unknown is rejected.
 */
public record RouteFile(List<Route> routes) {

	/**
	 * One route: what it matches, how the path is rewritten and which colours serve it;
	 * {@code errors} is the shape of the gateway's own error answers on it (null: the
	 * default).
	 */
	public record Route(String id, Integer order, Map<String, Object> metadata, Match match, Rewrite rewrite,
			StickyKey sticky, LinkedHashMap<String, Upstream> upstreams, List<Object> predicates, List<Object> filters,
			Cors cors, ErrorShape errors, Boolean websocket) {

		public StickyKey stickyOrDefault() {
			return sticky == null ? StickyKey.none : sticky;
		}

		public int orderOrDefault() {
			return order == null ? 0 : order;
		}

		/**
		 * Whether WebSocket upgrades are proxied on this route; other routes forward them
		 * as plain requests.
		 */
		public boolean websocketOrDefault() {
			return websocket != null && websocket;
		}

	}

	/** Request matching; every given part must match. */
	public record Match(List<String> paths, List<String> methods, String host, Map<String, String> headers) {
	}

	/** Path rewrite before forwarding: strip leading segments, or replace a prefix. */
	public record Rewrite(Integer stripPrefix, ReplacePrefix replacePrefix) {
	}

	/** Replaces a leading path prefix, e.g. {@code /rdkit/} by {@code /api/}. */
	public record ReplacePrefix(String from, String to) {
	}

	/**
	 * CORS answered by the gateway, as Spring's {@code CorsConfiguration}; without it the
	 * route passes preflights to the upstream and its CORS headers back untouched. Unset
	 * lists take Spring's defaults: methods GET, HEAD and POST, any request header, max
	 * age 1800 s.
	 */
	public record Cors(List<String> allowedOrigins, List<String> allowedOriginPatterns, List<String> allowedMethods,
			List<String> allowedHeaders, List<String> exposedHeaders, Boolean allowCredentials, Long maxAge) {
	}

	/** One named deployment colour of the upstream service. */
	public record Upstream(String uri, Integer weight) {
	}

	/** What keeps a caller on the same colour as weights move. */
	public enum StickyKey {

		/** The verified user id, or the client IP for anonymous callers. */
		user,
		/** The client IP. */
		ip,
		/** A random id kept in a cookie the gateway sets. */
		cookie,
		/** No stickiness: every request is picked at random by weight. */
		none

	}

}
