package io.cryoprotect.gateway.validation;

import java.util.List;
import java.util.Map;

import io.cryoprotect.gateway.configfile.PolicyMode;
import io.cryoprotect.gateway.configfile.RouteReference;

import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;

/**
 * One loaded version of validation.yml and its schemas, compiled and immutable: the
 * endpoint rules by route id, each route's rules ordered most specific path first.
 */
public final class ValidationConfig {

	static final ValidationConfig NONE = new ValidationConfig(Map.of(), 0, List.of(),
			"no validation.yml, nothing is validated");

	private final Map<String, List<EndpointRule>> byRoute;

	private final int schemaCount;

	private final List<RouteReference> routeReferences;

	private final String description;

	ValidationConfig(Map<String, List<EndpointRule>> byRoute, int schemaCount, List<RouteReference> routeReferences,
			String description) {
		this.byRoute = Map.copyOf(byRoute);
		this.schemaCount = schemaCount;
		this.routeReferences = List.copyOf(routeReferences);
		this.description = description;
	}

	/** The rule a request falls under, with its path variables. */
	record Match(EndpointRule rule, Map<String, String> pathVariables) {
	}

	/**
	 * The first rule of the route for this method and path, or null, also when its mode
	 * is off. A trailing slash is ignored, as the route's own Path predicate ignores it:
	 * otherwise {@code /rdkit/similarity/} would reach the upstream unchecked.
	 */
	Match match(String routeId, HttpMethod method, PathContainer requestPath) {
		List<EndpointRule> rules = byRoute.get(routeId);
		if (rules == null) {
			return null;
		}
		int elements = requestPath.elements().size();
		PathContainer path = elements > 1 && requestPath.elements().get(elements - 1) instanceof PathContainer.Separator
				? requestPath.subPath(0, elements - 1) : requestPath;
		for (EndpointRule rule : rules) {
			if (!rule.method().equals(method)) {
				continue;
			}
			if (rule.pathParams() == null) {
				if (rule.path().matches(path)) {
					return rule.mode() == PolicyMode.off ? null : new Match(rule, Map.of());
				}
				continue;
			}
			PathPattern.PathMatchInfo info = rule.path().matchAndExtract(path);
			if (info != null) {
				return rule.mode() == PolicyMode.off ? null : new Match(rule, info.getUriVariables());
			}
		}
		return null;
	}

	/** Every rule, route by route. */
	List<EndpointRule> endpoints() {
		return byRoute.values().stream().flatMap(List::stream).toList();
	}

	int schemaCount() {
		return schemaCount;
	}

	/**
	 * Each endpoint's route id, where it is written: checked against {@code routes/} by
	 * the reloader.
	 */
	List<RouteReference> routeReferences() {
		return routeReferences;
	}

	@Override
	public String toString() {
		return description;
	}

}
