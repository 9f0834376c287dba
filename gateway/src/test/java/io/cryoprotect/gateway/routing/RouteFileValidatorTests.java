package io.cryoprotect.gateway.routing;

import java.util.List;
import java.util.stream.Stream;

import io.cryoprotect.gateway.configfile.ConfigProblem;
import io.cryoprotect.gateway.configfile.StrictYamlReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * What {@link RouteFileValidator} refuses in a parsed route file, without a gateway: each
 * edit of a valid file is named by key and value. Whole-set rules (duplicate ids,
 * overlapping paths) and rejection while running are in
 * {@link RouteRejectionIntegrationTests}.
 */
class RouteFileValidatorTests {

	private static final String FILE = "routes/flask-api.yml";

	private static final String VALID = """
			routes:
			  - id: flask-api
			    metadata:
			      owner: cryoprotect-backend
			    match:
			      paths:
			        - /api/v1/**
			      methods: [GET, POST]
			      headers:
			        X-Client: web-.*
			    rewrite:
			      stripPrefix: 1
			    cors:
			      allowedOrigins: [https://app.cryoprotect.io]
			      maxAge: 600
			    upstreams:
			      blue:
			        uri: ${FLASK_BLUE_URL:http://127.0.0.1:9101}
			        weight: 90
			      green:
			        uri: http://127.0.0.1:9102
			        weight: 10
			""";

	private static final MockEnvironment ENVIRONMENT = new MockEnvironment().withProperty("HOSTILE",
			"#{T(java.lang.Runtime)}");

	private static List<ConfigProblem> problemsOf(String text) {
		RouteFileValidator validator = new RouteFileValidator(FILE, ENVIRONMENT::resolveRequiredPlaceholders);
		validator.validate(StrictYamlReader.read(FILE, text, RouteFile.class));
		return validator.problems();
	}

	private static String edit(String from, String to) {
		assertThat(VALID).as("the valid file has the text this case edits").contains(from);
		return VALID.replace(from, to);
	}

	@Test
	void theValidFileGivesEachColourItsResolvedUriAndWeight() {
		RouteFileValidator validator = new RouteFileValidator(FILE, ENVIRONMENT::resolveRequiredPlaceholders);
		List<List<UpstreamColour>> colours = validator.validate(StrictYamlReader.read(FILE, VALID, RouteFile.class));
		assertThat(validator.problems()).isEmpty();
		assertThat(colours).singleElement()
			.satisfies(route -> assertThat(route)
				.extracting(colour -> colour.name() + " " + colour.uri() + " " + colour.weight())
				.containsExactly("blue http://127.0.0.1:9101 90", "green http://127.0.0.1:9102 10"));
	}

	static Stream<Arguments> invalidEdits() {
		return Stream.of(arguments("id: flask-api", "id: Flask API", "routes[0].id", "Flask API", "id is required"),
				arguments("      owner: cryoprotect-backend", "      owner: ' '", "routes[0].metadata.owner", " ",
						"metadata.owner is required"),
				arguments("        - /api/v1/**", "        - api/v1/**", "routes[0].match.paths[0]", "api/v1/**",
						"a path pattern must start with '/'"),
				arguments("methods: [GET, POST]", "methods: [GET, FETCH]", "routes[0].match.methods[1]", "FETCH",
						"expected one of [DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE]"),
				arguments("X-Client: web-.*", "X-Client: 'web-(.*'", "routes[0].match.headers.X-Client", "web-(.*",
						"not a valid regular expression"),
				arguments("      stripPrefix: 1", "      stripPrefix: 17", "routes[0].rewrite.stripPrefix", "17",
						"must be between 1 and 16 path segments"),
				arguments("      stripPrefix: 1", "      stripPrefix: 1\n      replacePrefix: {from: /api/, to: /v2/}",
						"routes[0].rewrite", null, "use either stripPrefix or replacePrefix, not both"),
				arguments("      stripPrefix: 1", "      replacePrefix: {from: api/, to: /v2/}",
						"routes[0].rewrite.replacePrefix.from", "api/", "must start with '/'"),
				arguments("      maxAge: 600", "      maxAge: -1", "routes[0].cors.maxAge", "-1",
						"max age is in seconds, 0 or more"),
				arguments("      maxAge: 600",
						"      maxAge: 600\n      allowedOriginPatterns: ['*']\n      allowCredentials: true",
						"routes[0].cors.allowedOriginPatterns", "[*]", "lets every site send the user's cookies"),
				arguments("        weight: 10", "        weight: 110", "routes[0].upstreams.green.weight", "110",
						"weight is required, an integer from 0 (drained) to 100"),
				arguments("        weight: 10", "        weight: 20", "routes[0].upstreams", "blue=90 + green=20",
						"weights must sum to 100 but sum to 110"),
				arguments("      green:", "      Green:", "routes[0].upstreams.Green", "Green",
						"colour names are lower-case words such as blue or green"),
				arguments("uri: http://127.0.0.1:9102", "uri: ''", "routes[0].upstreams.green.uri", "",
						"uri is required"),
				arguments("uri: http://127.0.0.1:9102", "uri: ${NO_SUCH_VARIABLE}", "routes[0].upstreams.green.uri",
						"${NO_SUCH_VARIABLE}", "placeholder cannot be resolved"),
				arguments("uri: http://127.0.0.1:9102", "uri: ${HOSTILE}", "routes[0].upstreams.green.uri",
						"#{T(java.lang.Runtime)}",
						"SpEL expressions ('#{') are not allowed, also not through placeholders"),
				arguments("uri: http://127.0.0.1:9102", "uri: ftp://127.0.0.1:9102", "routes[0].upstreams.green.uri",
						"ftp://127.0.0.1:9102", "uri must be http or https"),
				arguments("uri: http://127.0.0.1:9102", "uri: http://127.0.0.1:9102/api",
						"routes[0].upstreams.green.uri", "http://127.0.0.1:9102/api",
						"uri is scheme, host and port only; rewrite paths with 'rewrite'"),
				arguments("uri: http://127.0.0.1:9102", "uri: 'http://user@127.0.0.1:9102'",
						"routes[0].upstreams.green.uri", "http://user@127.0.0.1:9102",
						"uri is scheme, host and port only"));
	}

	@ParameterizedTest(name = "{2} = {3}")
	@MethodSource("invalidEdits")
	void eachProblemNamesFileKeyAndValue(String from, String to, String key, String value, String reason) {
		// A weight out of range also leaves the sum short: that second problem is the
		// weights-sum case's.
		List<ConfigProblem> problems = problemsOf(edit(from, to));
		assertThat(problems).allSatisfy(problem -> assertThat(problem.file()).isEqualTo(FILE));
		assertThat(problems).filteredOn(problem -> problem.key().equals(key)).singleElement().satisfies(problem -> {
			assertThat(problem.value()).isEqualTo(value);
			assertThat(problem.reason()).contains(reason);
		});
		assertThat(problems).hasSizeLessThanOrEqualTo(key.endsWith(".weight") ? 2 : 1);
	}

	@Test
	void aWebSocketRouteMustTakeGet() {
		String text = edit("methods: [GET, POST]", "methods: [POST]").replace("    cors:",
				"    websocket: true\n    cors:");
		assertThat(problemsOf(text)).singleElement().satisfies(problem -> {
			assertThat(problem.key()).isEqualTo("routes[0].websocket");
			assertThat(problem.value()).isEqualTo("true");
			assertThat(problem.reason()).isEqualTo("a WebSocket upgrade is a GET, which match.methods [POST] excludes");
		});
	}

	@Test
	void everyProblemInTheFileIsReportedAtOnce() {
		String text = VALID.replace("id: flask-api", "id: Flask")
			.replace("        - /api/v1/**", "        - api")
			.replace("        weight: 10", "        weight: 20");
		assertThat(problemsOf(text)).extracting(ConfigProblem::key)
			.containsExactly("routes[0].id", "routes[0].match.paths[0]", "routes[0].upstreams");
	}

	@Test
	void aFileWithoutRoutesOrUpstreamsIsRejected() {
		assertThat(problemsOf("routes: []\n")).singleElement()
			.satisfies(problem -> assertThat(problem.reason()).isEqualTo("a route file needs at least one route"));
		assertThat(problemsOf(VALID.substring(0, VALID.indexOf("    upstreams:")))).singleElement()
			.satisfies(problem -> {
				assertThat(problem.key()).isEqualTo("routes[0].upstreams");
				assertThat(problem.reason()).isEqualTo("at least one upstream colour (e.g. blue) is required");
			});
	}

}
