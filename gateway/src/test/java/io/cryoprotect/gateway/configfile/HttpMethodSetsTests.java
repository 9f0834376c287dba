package io.cryoprotect.gateway.configfile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP methods the config files accept are one set, the route file's, written out in
 * each schema: an editor resolves a schema's {@code $ref} within its own directory only,
 * and {@code routes/} and {@code filters-conf/} are two directories. The route file's
 * CORS {@code allowedMethods} take the same set and {@code *}; the policy files take the
 * same set less TRACE. Every list, and every {@code errorMessage} that names the methods,
 * must agree with the route file's, so that an edit to one of them fails here until the
 * others follow.
 */
class HttpMethodSetsTests {

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final JsonNode ROUTE_FILE = read("routes/route-file.schema.json");

	/** The one definition: the methods a route may take. */
	private static final JsonNode ROUTE_METHODS = ROUTE_FILE.at("/$defs/match/properties/methods/items");

	private static final Pattern ALTERNATIVES = Pattern.compile("^\\^\\(\\?i:([A-Z|]+)\\)\\$$");

	private static JsonNode read(String file) {
		return JSON.readTree(Path.of("..", file).toFile());
	}

	private static List<String> names(JsonNode list) {
		List<String> names = new ArrayList<>();
		list.forEach(name -> names.add(name.asString()));
		return names;
	}

	private static List<String> routeMethods() {
		return names(ROUTE_METHODS.path("enum"));
	}

	private static List<String> policyMethods() {
		return routeMethods().stream().filter(method -> !method.equals("TRACE")).toList();
	}

	/** How an errorMessage lists methods: sorted, as {@code [DELETE, GET, ...]}. */
	private static String listed(List<String> methods) {
		return new TreeSet<>(methods).toString();
	}

	@Test
	void theRouteFileDefinesTheSet() {
		assertThat(routeMethods()).containsExactly("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE");
		assertThat(ROUTE_METHODS.path("errorMessage").asString())
			.isEqualTo("expected one of " + listed(routeMethods()));
	}

	@Test
	void corsAllowedMethodsAreTheSetOrAny() {
		JsonNode allowed = ROUTE_FILE.at("/$defs/cors/properties/allowedMethods/items");
		List<String> expected = new ArrayList<>(routeMethods());
		expected.add("*");
		assertThat(names(allowed.path("enum"))).isEqualTo(expected);
		assertThat(allowed.path("errorMessage").asString()).isEqualTo("expected * or one of " + listed(routeMethods()));
	}

	@Test
	void resilienceMethodKeysAreThePolicySet() {
		JsonNode keys = read("filters-conf/resilience.schema.json").at("/$defs/route/properties/methods/propertyNames");
		assertThat(names(keys.path("enum"))).isEqualTo(policyMethods());
		assertThat(keys.path("errorMessage").asString()).endsWith("one of " + listed(policyMethods()));
	}

	@Test
	void validationMethodIsThePolicySet() {
		JsonNode method = read("filters-conf/validation.schema.json").at("/$defs/endpoint/properties/method");
		assertThat(names(method.path("enum"))).isEqualTo(policyMethods());
		assertThat(method.path("errorMessage").asString()).endsWith("one of " + listed(policyMethods()));
	}

	@Test
	void rateLimitMethodsAreThePolicySetInAnyCase() {
		JsonNode method = read("filters-conf/ratelimits.schema.json").at("/$defs/method");
		Matcher alternatives = ALTERNATIVES.matcher(method.path("pattern").asString());
		assertThat(alternatives.matches()).as("pattern %s", method.path("pattern")).isTrue();
		assertThat(List.of(alternatives.group(1).split("\\|"))).isEqualTo(policyMethods());
		assertThat(method.path("errorMessage").asString()).endsWith("one of " + listed(policyMethods()));
	}

}
