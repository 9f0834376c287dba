package io.cryoprotect.gateway.routing;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import io.cryoprotect.gateway.configfile.ConfigProblem;

/**
 * Checks one parsed route file for what the type system cannot: required keys, ranges,
 * URIs, weights. Every problem names file, key path and value; all are collected so an
 * operator sees every mistake at once rather than one per edit.
 */
final class RouteFileValidator {

	private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

	private static final Pattern COLOUR = Pattern.compile("[a-z][a-z0-9-]{0,31}");

	private static final Pattern ORIGIN = Pattern.compile("(?i)https?://[^/?#\\s*@]+/?");

	private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
			"TRACE");

	private final String file;

	private final UnaryOperator<String> placeholders;

	private final List<ConfigProblem> problems = new ArrayList<>();

	RouteFileValidator(String file, UnaryOperator<String> placeholders) {
		this.file = file;
		this.placeholders = placeholders;
	}

	List<ConfigProblem> problems() {
		return problems;
	}

	void problem(String key, Object value, String reason) {
		problems.add(new ConfigProblem(file, key, value == null ? null : String.valueOf(value), reason));
	}

	/** Validates the file and returns, per route, its upstream colours with resolved URIs (in file order). */
	List<List<UpstreamColour>> validate(RouteFile routeFile) {
		List<List<UpstreamColour>> colours = new ArrayList<>();
		if (routeFile.routes() == null || routeFile.routes().isEmpty()) {
			problem("routes", null, "a route file needs at least one route");
			return colours;
		}
		for (int i = 0; i < routeFile.routes().size(); i++) {
			RouteFile.Route route = routeFile.routes().get(i);
			String key = "routes[" + i + "]";
			if (route == null) {
				problem(key, null, "route is empty");
				colours.add(List.of());
				continue;
			}
			validateId(key, route.id());
			validateMetadata(key, route.metadata());
			validateMatch(key + ".match", route.match());
			validateRewrite(key + ".rewrite", route.rewrite());
			validateCors(key + ".cors", route.cors());
			validateWebsocket(key, route);
			colours.add(validateUpstreams(key + ".upstreams", route.upstreams()));
		}
		return colours;
	}

	private void validateId(String key, String id) {
		if (id == null || !ID.matcher(id).matches()) {
			problem(key + ".id", id, "id is required: lower-case letters, digits, '.', '_' or '-', at most 64");
		}
	}

	private void validateMetadata(String key, Map<String, Object> metadata) {
		Object owner = metadata == null ? null : metadata.get("owner");
		if (!(owner instanceof String s) || s.isBlank()) {
			problem(key + ".metadata.owner", owner, "metadata.owner is required: the team to call about this route");
		}
	}

	private void validateMatch(String key, RouteFile.Match match) {
		if (match == null || match.paths() == null || match.paths().isEmpty()) {
			problem(key + ".paths", null, "at least one path pattern is required");
			return;
		}
		for (int i = 0; i < match.paths().size(); i++) {
			String path = match.paths().get(i);
			if (path == null || !path.startsWith("/")) {
				problem(key + ".paths[" + i + "]", path, "a path pattern must start with '/'");
			}
		}
		if (match.methods() != null) {
			for (int i = 0; i < match.methods().size(); i++) {
				String method = match.methods().get(i);
				if (method == null || !METHODS.contains(method)) {
					problem(key + ".methods[" + i + "]", method, "expected one of " + METHODS.stream().sorted().toList());
				}
			}
		}
		if (match.host() != null && match.host().isBlank()) {
			problem(key + ".host", match.host(), "host pattern must not be blank");
		}
		if (match.headers() != null) {
			match.headers().forEach((name, regex) -> {
				try {
					Pattern.compile(regex == null ? "" : regex);
				}
				catch (PatternSyntaxException ex) {
					problem(key + ".headers." + name, regex, "not a valid regular expression: " + ex.getDescription());
				}
			});
		}
	}

	private void validateRewrite(String key, RouteFile.Rewrite rewrite) {
		if (rewrite == null) {
			return;
		}
		if (rewrite.stripPrefix() != null && rewrite.replacePrefix() != null) {
			problem(key, null, "use either stripPrefix or replacePrefix, not both");
		}
		if (rewrite.stripPrefix() != null && (rewrite.stripPrefix() < 1 || rewrite.stripPrefix() > 16)) {
			problem(key + ".stripPrefix", rewrite.stripPrefix(), "must be between 1 and 16 path segments");
		}
		RouteFile.ReplacePrefix replace = rewrite.replacePrefix();
		if (replace != null) {
			if (replace.from() == null || !replace.from().startsWith("/")) {
				problem(key + ".replacePrefix.from", replace.from(), "must start with '/'");
			}
			if (replace.to() == null || !replace.to().startsWith("/")) {
				problem(key + ".replacePrefix.to", replace.to(), "must start with '/'");
			}
		}
	}

	private void validateCors(String key, RouteFile.Cors cors) {
		if (cors == null) {
			return;
		}
		int before = problems.size();
		boolean origins = cors.allowedOrigins() != null && !cors.allowedOrigins().isEmpty();
		if (!origins && (cors.allowedOriginPatterns() == null || cors.allowedOriginPatterns().isEmpty())) {
			problem(key, null, "a cors block needs allowedOrigins or allowedOriginPatterns; without the block the "
					+ "upstream answers CORS itself");
			return;
		}
		if (origins) {
			for (int i = 0; i < cors.allowedOrigins().size(); i++) {
				String origin = cors.allowedOrigins().get(i);
				if (origin == null || !(origin.equals("*") || ORIGIN.matcher(origin).matches())) {
					problem(key + ".allowedOrigins[" + i + "]", origin,
							"an origin is scheme://host[:port] without a path, or *; use allowedOriginPatterns for wildcards");
				}
			}
		}
		if (cors.allowedOriginPatterns() != null && cors.allowedOriginPatterns().stream().anyMatch(p -> p == null || p.isBlank())) {
			problem(key + ".allowedOriginPatterns", cors.allowedOriginPatterns(), "patterns must not be blank");
		}
		else if (Boolean.TRUE.equals(cors.allowCredentials()) && cors.allowedOriginPatterns() != null
				&& cors.allowedOriginPatterns().contains("*")) {
			// Spring would echo every origin with credentials: any site could call the API as the signed-in user.
			problem(key + ".allowedOriginPatterns", cors.allowedOriginPatterns(),
					"the pattern * with allowCredentials lets every site send the user's cookies; list the origins");
		}
		if (cors.allowedMethods() != null) {
			for (int i = 0; i < cors.allowedMethods().size(); i++) {
				if (!RouteCors.isMethod(cors.allowedMethods().get(i))) {
					problem(key + ".allowedMethods[" + i + "]", cors.allowedMethods().get(i),
							"expected * or one of " + METHODS.stream().sorted().toList());
				}
			}
		}
		if (cors.maxAge() != null && cors.maxAge() < 0) {
			problem(key + ".maxAge", cors.maxAge(), "max age is in seconds, 0 or more");
		}
		if (problems.size() == before) {
			try {
				RouteCors.configuration(cors);
			}
			catch (IllegalArgumentException ex) {
				problem(key, cors.allowedOrigins(), ex.getMessage());
			}
		}
	}

	/** A WebSocket upgrade is a GET: a route that cannot take one cannot proxy WebSockets. */
	private void validateWebsocket(String key, RouteFile.Route route) {
		List<String> methods = route.match() == null ? null : route.match().methods();
		if (route.websocketOrDefault() && methods != null && !methods.isEmpty() && !methods.contains("GET")) {
			problem(key + ".websocket", true, "a WebSocket upgrade is a GET, which match.methods " + methods + " excludes");
		}
	}

	private List<UpstreamColour> validateUpstreams(String key, Map<String, RouteFile.Upstream> upstreams) {
		List<UpstreamColour> colours = new ArrayList<>();
		if (upstreams == null || upstreams.isEmpty()) {
			problem(key, null, "at least one upstream colour (e.g. blue) is required");
			return colours;
		}
		int sum = 0;
		StringBuilder parts = new StringBuilder();
		for (Map.Entry<String, RouteFile.Upstream> e : upstreams.entrySet()) {
			String colourKey = key + "." + e.getKey();
			RouteFile.Upstream upstream = e.getValue();
			if (!COLOUR.matcher(e.getKey()).matches()) {
				problem(colourKey, e.getKey(), "colour names are lower-case words such as blue or green");
			}
			if (upstream == null) {
				problem(colourKey, null, "uri and weight are required");
				continue;
			}
			Integer weight = upstream.weight();
			if (weight == null || weight < 0 || weight > 100) {
				problem(colourKey + ".weight", weight, "weight is required, an integer from 0 (drained) to 100");
			}
			else {
				sum += weight;
			}
			parts.append(parts.isEmpty() ? "" : " + ").append(e.getKey()).append('=').append(weight);
			URI uri = validateUri(colourKey + ".uri", upstream.uri());
			if (uri != null && weight != null && weight >= 0 && weight <= 100) {
				colours.add(UpstreamColour.of(e.getKey(), uri, weight));
			}
		}
		if (sum != 100) {
			problem(key, parts.toString(), "weights must sum to 100 but sum to " + sum);
		}
		return colours;
	}

	private URI validateUri(String key, String raw) {
		if (raw == null || raw.isBlank()) {
			problem(key, raw, "uri is required");
			return null;
		}
		String resolved;
		try {
			resolved = placeholders.apply(raw);
		}
		catch (IllegalArgumentException ex) {
			problem(key, raw, "placeholder cannot be resolved: " + ex.getMessage());
			return null;
		}
		if (resolved.contains("#{")) {
			problem(key, resolved, "SpEL expressions ('#{') are not allowed, also not through placeholders");
			return null;
		}
		try {
			URI uri = new URI(resolved);
			String scheme = uri.getScheme();
			if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
				problem(key, resolved, "uri must be http or https");
				return null;
			}
			if (uri.getHost() == null) {
				problem(key, resolved, "uri must name a host");
				return null;
			}
			if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
					|| !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))) {
				problem(key, resolved, "uri is scheme, host and port only; rewrite paths with 'rewrite'");
				return null;
			}
			return uri;
		}
		catch (URISyntaxException ex) {
			problem(key, resolved, "not a valid URI: " + ex.getReason());
			return null;
		}
	}

}
