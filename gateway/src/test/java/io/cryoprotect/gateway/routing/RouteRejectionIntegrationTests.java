package io.cryoprotect.gateway.routing;

import java.util.stream.Stream;

import io.cryoprotect.gateway.configfile.ConfigProblem;
import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every kind of invalid route edit is rejected whole with file, key and value named,
 * while the last good config keeps routing and readiness stays UP (docs/reliability.md
 * F9).
 */
class RouteRejectionIntegrationTests extends GatewayIntegrationTest {

	private static final String FLASK = "flask-api.yml";

	private static final String RDKIT_FILE = "rdkit.yml";

	static Stream<Arguments> invalidEdits() {
		String flask = ROUTES.original(FLASK);
		String rdkit = ROUTES.original(RDKIT_FILE);
		return Stream.of(
				Arguments.of("unparseable YAML", FLASK, flask.replace("owner: cryoprotect-backend", "owner: a: b"),
						FLASK + ":7: key 'routes[0].metadata': unparseable YAML: mapping values are not allowed here"),
				Arguments.of("unknown key", FLASK, flask.replace("weight: 100", "wieght: 100"), FLASK
						+ ":17: key 'routes[0].upstreams.blue.wieght' value 'wieght': unknown key; expected one of [uri, weight]"),
				Arguments.of("weights not summing to 100", FLASK, flask.replace("weight: 100", "weight: 90"), FLASK
						+ ": key 'routes[0].upstreams' value 'blue=90 + green=0': weights must sum to 100 but sum to 90"),
				Arguments.of("duplicate id", RDKIT_FILE, rdkit.replace("id: rdkit", "id: flask-api"), RDKIT_FILE
						+ ": key 'routes[id=flask-api].id' value 'flask-api': duplicate route id, also defined in "
						+ ROUTES.path() + "/" + FLASK),
				Arguments.of("same path and method", RDKIT_FILE, rdkit.replace("/rdkit/{operation}", "/api/v1/**"),
						RDKIT_FILE
								+ ": key 'routes[id=rdkit].match.paths' value 'POST /api/v1/**': path and method already "
								+ "routed by route 'flask-api' in " + ROUTES.path() + "/" + FLASK),
				Arguments.of("URI that is not http(s)", FLASK,
						flask.replace("${FLASK_BLUE_URL:http://127.0.0.1:9101}", "ftp://127.0.0.1:9101"),
						FLASK + ": key 'routes[0].upstreams.blue.uri' value 'ftp://127.0.0.1:9101': uri must be http or https"),
				Arguments.of("SpEL", FLASK,
						flask.replace("owner: cryoprotect-backend", "owner: \"#{T(java.lang.Runtime)}\""),
						FLASK + ":7 value '#{T(java.lang.Runtime)}\"': SpEL expressions ('#{') are not allowed in config files"),
				Arguments.of("missing owner", FLASK, flask.replace("owner: cryoprotect-backend", "team: backend"), FLASK
						+ ": key 'routes[0].metadata.owner': metadata.owner is required: the team to call about this route"),
				Arguments.of("unknown native filter", FLASK,
						flask.replace("    sticky: user", "    sticky: user\n    filters:\n      - NoSuchFilter=1"),
						FLASK + ": key 'routes[0].filters[0]' value 'NoSuchFilter': unknown filter; known: ["),
				Arguments.of("SCG's Weight predicate (colours carry the weights)", FLASK,
						flask.replace("    sticky: user",
								"    sticky: user\n    predicates:\n      - Weight=group1, 5"),
						FLASK + ": key 'routes[0].predicates[0]' value 'Weight': unknown predicate; known: ["),
				Arguments.of("native filter missing an argument", FLASK,
						flask.replace("    sticky: user",
								"    sticky: user\n    filters:\n      - AddRequestHeader=X-Only-Name"),
						FLASK + ": key 'routes[0].filters[0]' value '{_genkey_0=X-Only-Name}': "),
				Arguments.of("unknown error shape", FLASK, flask.replace("errors: flask", "errors: html"),
						FLASK + ":22: key 'routes[0].errors' value 'html': "),
				Arguments.of("WebSocket on a route that takes no GET", RDKIT_FILE,
						rdkit.replace("      methods: [POST]", "      methods: [POST]\n    websocket: true"),
						RDKIT_FILE + ": key 'routes[0].websocket' value 'true': a WebSocket upgrade is a GET, which "
								+ "match.methods [POST] excludes"),
				Arguments.of("wrong type", FLASK, flask.replace("weight: 100", "weight: lots"),
						FLASK + ":17: key 'routes[0].upstreams.blue.weight' value 'lots': expected an integer"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidEdits")
	void invalidEditIsRejectedWholeAndLastGoodConfigStaysLive(String kind, String file, String content,
			String message) {
		String liveVersion = liveVersion();
		ROUTES.swap(file, content);
		assertThat(content).as("the edit must change the file").isNotEqualTo(ROUTES.original(file));
		reloader.reloadNow();

		ConfigReloader.Rejection rejection = reloader.lastRejection();
		assertThat(rejection).isNotNull();
		assertThat(rejection.problems()).map(ConfigProblem::toString)
			.anySatisfy(text -> assertThat(text).startsWith(ROUTES.path() + "/" + message));
		assertThat(liveVersion()).isEqualTo(liveVersion);
		client().get()
			.uri("/api/v1/molecules")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("X-Upstream", "flask-blue")
			.expectBody()
			.returnResult();
		client().post()
			.uri("/rdkit/similarity")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"mol1_data\":\"OCC(O)CO\",\"mol2_data\":\"CS(=O)C\"}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("X-Upstream", "rdkit")
			.expectBody()
			.returnResult();
		management().get()
			.uri("/actuator/health/readiness")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
	}

	@Test
	void rejectionIsShownOnStatusAndCounted() {
		ROUTES.swap(FLASK, ROUTES.original(FLASK).replace("weight: 0", "weight: 5"));
		reloader.reloadNow();
		management().get()
			.uri("/actuator/gatewayroutes")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.lastRejection.problems[0].file")
			.isEqualTo(ROUTES.path() + "/" + FLASK)
			.jsonPath("$.lastRejection.problems[0].key")
			.isEqualTo("routes[0].upstreams")
			.jsonPath("$.lastRejection.problems[0].value")
			.isEqualTo("blue=100 + green=5")
			.jsonPath("$.lastRejection.problems[0].reason")
			.isEqualTo("weights must sum to 100 but sum to 105");
		String metrics = management().get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(metrics)
			.containsPattern("gateway_config_reloads_total\\{config=\"routes\",result=\"rejected\"\\} [1-9]")
			.containsPattern("gateway_config_reloads_total\\{config=\"routes\",result=\"applied\"\\} [1-9]")
			.contains("gateway_config_rejected{config=\"routes\"} 1.0");
	}

	private String liveVersion() {
		return management().get()
			.uri("/actuator/gatewayroutes")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(java.util.Map.class)
			.returnResult()
			.getResponseBody()
			.get("version")
			.toString();
	}

}
