package io.cryoprotect.gateway.routing;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import io.cryoprotect.gateway.configfile.ConfigProblem;
import io.cryoprotect.gateway.configfile.ConfigSchema;
import io.cryoprotect.gateway.configfile.ConfigValues;

/**
 * Checks one parsed route file against {@code routes/route-file.schema.json}, then for
 * what a schema cannot state: weights summing to 100, header regexes that compile, a
 * credentialed cors block open to every origin, a WebSocket route that cannot take GET,
 * and upstream URIs once their placeholders are resolved. Every problem names file, key
 * path and value; all are collected so an operator sees every mistake at once rather than
 * one per edit.
 */
final class RouteFileValidator {

	private static final ConfigSchema SCHEMA = ConfigSchema.load("route-file.schema.json", true);

	private final UnaryOperator<String> placeholders;

	private final ConfigValues values;

	RouteFileValidator(String file, UnaryOperator<String> placeholders) {
		this.placeholders = placeholders;
		this.values = new ConfigValues(file);
	}

	List<ConfigProblem> problems() {
		return values.problems();
	}

	/**
	 * Validates the file and returns, per route, its upstream colours with resolved URIs
	 * (in file order).
	 */
	List<List<UpstreamColour>> validate(RouteFile routeFile) {
		SCHEMA.validate(values, routeFile);
		List<List<UpstreamColour>> colours = new ArrayList<>();
		if (routeFile.routes() == null) {
			return colours;
		}
		for (int i = 0; i < routeFile.routes().size(); i++) {
			RouteFile.Route route = routeFile.routes().get(i);
			String key = "routes[" + i + "]";
			if (route == null) {
				colours.add(List.of());
				continue;
			}
			if (route.match() != null) {
				validateHeaders(key + ".match.headers", route.match().headers());
			}
			validateCors(key + ".cors", route.cors());
			validateWebsocket(key, route);
			colours.add(validateUpstreams(key + ".upstreams", route.upstreams()));
		}
		return colours;
	}

	private void validateHeaders(String key, Map<String, String> headers) {
		if (headers != null) {
			headers.forEach((name, regex) -> {
				try {
					Pattern.compile(regex == null ? "" : regex);
				}
				catch (PatternSyntaxException ex) {
					values.problem(key + "." + name, regex, "not a valid regular expression: " + ex.getDescription());
				}
			});
		}
	}

	private void validateCors(String key, RouteFile.Cors cors) {
		if (cors == null) {
			return;
		}
		if (Boolean.TRUE.equals(cors.allowCredentials()) && cors.allowedOriginPatterns() != null
				&& cors.allowedOriginPatterns().contains("*")) {
			// Spring would echo every origin with credentials: any site could call the
			// API as the signed-in user.
			values.problem(key + ".allowedOriginPatterns", cors.allowedOriginPatterns(),
					"the pattern * with allowCredentials lets every site send the user's cookies; list the origins");
		}
		if (values.problems().stream().noneMatch(problem -> problem.key().startsWith(key))) {
			try {
				RouteCors.configuration(cors);
			}
			catch (IllegalArgumentException ex) {
				values.problem(key, cors.allowedOrigins(), ex.getMessage());
			}
		}
	}

	/**
	 * A WebSocket upgrade is a GET: a route that cannot take one cannot proxy WebSockets.
	 */
	private void validateWebsocket(String key, RouteFile.Route route) {
		List<String> methods = route.match() == null ? null : route.match().methods();
		if (route.websocketOrDefault() && methods != null && !methods.isEmpty() && !methods.contains("GET")) {
			values.problem(key + ".websocket", true,
					"a WebSocket upgrade is a GET, which match.methods " + methods + " excludes");
		}
	}

	private List<UpstreamColour> validateUpstreams(String key, Map<String, RouteFile.Upstream> upstreams) {
		List<UpstreamColour> colours = new ArrayList<>();
		if (upstreams == null || upstreams.isEmpty()) {
			return colours;
		}
		int sum = 0;
		StringBuilder parts = new StringBuilder();
		for (Map.Entry<String, RouteFile.Upstream> e : upstreams.entrySet()) {
			RouteFile.Upstream upstream = e.getValue();
			if (upstream == null) {
				continue;
			}
			Integer weight = upstream.weight();
			boolean weighed = weight != null && weight >= 0 && weight <= 100;
			if (weighed) {
				sum += weight;
			}
			parts.append(parts.isEmpty() ? "" : " + ").append(e.getKey()).append('=').append(weight);
			URI uri = validateUri(key + "." + e.getKey() + ".uri", upstream.uri());
			if (uri != null && weighed) {
				colours.add(UpstreamColour.of(e.getKey(), uri, weight));
			}
		}
		if (sum != 100) {
			values.problem(key, parts.toString(), "weights must sum to 100 but sum to " + sum);
		}
		return colours;
	}

	private URI validateUri(String key, String raw) {
		if (raw == null || raw.isBlank()) {
			return null;
		}
		String resolved;
		try {
			resolved = placeholders.apply(raw);
		}
		catch (IllegalArgumentException ex) {
			values.problem(key, raw, "placeholder cannot be resolved: " + ex.getMessage());
			return null;
		}
		if (resolved.contains("#{")) {
			values.problem(key, resolved, "SpEL expressions ('#{') are not allowed, also not through placeholders");
			return null;
		}
		try {
			URI uri = new URI(resolved);
			String scheme = uri.getScheme();
			if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
				values.problem(key, resolved, "uri must be http or https");
				return null;
			}
			if (uri.getHost() == null) {
				values.problem(key, resolved, "uri must name a host");
				return null;
			}
			if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
					|| !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))) {
				values.problem(key, resolved, "uri is scheme, host and port only; rewrite paths with 'rewrite'");
				return null;
			}
			return uri;
		}
		catch (URISyntaxException ex) {
			values.problem(key, resolved, "not a valid URI: " + ex.getReason());
			return null;
		}
	}

}
