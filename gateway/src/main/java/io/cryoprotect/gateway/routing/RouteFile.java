package io.cryoprotect.gateway.routing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator-facing route file format ({@code routes/*.yml}); its JSON Schema is
 * {@code routes/route-file.schema.json}. Keys are strict: anything unknown is rejected.
 */
public record RouteFile(List<Route> routes) {

	/** One route: what it matches, how the path is rewritten and which colours serve it. */
	public record Route(String id, Integer order, Map<String, Object> metadata, Match match, Rewrite rewrite,
			StickyKey sticky, LinkedHashMap<String, Upstream> upstreams, List<Object> predicates,
			List<Object> filters, Boolean websocket) {

		public StickyKey stickyOrDefault() {
			return sticky == null ? StickyKey.none : sticky;
		}

		public int orderOrDefault() {
			return order == null ? 0 : order;
		}

		/** Whether WebSocket upgrades are proxied on this route; other routes forward them as plain requests. */
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
