package io.cryoprotect.gateway.validation;

import java.nio.charset.StandardCharsets;
import java.util.Collections;

import io.cryoprotect.gateway.support.RawHttp;
import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;
import org.springframework.test.json.JsonCompareMode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests to checked endpoints through the real gateway: valid ones reach the upstream
 * byte for byte, invalid ones are answered 400/415 in the route's error shape with every
 * violation and never reach it; shadow mode forwards and counts; off does nothing.
 */
class ValidationIntegrationTests extends ValidationIntegrationTest {

	private static final String VALID_MIXTURE = "{ \"name\" : \"Glycerol \\u00e7 µ\",\n\t\"components\": [ {\"concentration_unit\": \"µM\", "
			+ "\"concentration\": 1.50e1, \"molecule_id\": \"3f1c9a52-7d4e-4b5e-9a3c-1234567890ab\"} ] }  ";

	@Test
	void validBodyReachesTheUpstreamByteForByte() {
		byte[] body = VALID_MIXTURE.getBytes(StandardCharsets.UTF_8);
		postReachesBlueByteForByte(body);
		assertThat(FLASK_BLUE.last().headers().get("Content-Length")).isEqualTo(Integer.toString(body.length));
	}

	@Test
	void invalidBodyIsAnsweredWithEveryViolationAndNeverForwarded() {
		client().post()
			.uri("/api/v1/mixtures")
			.header("X-Request-Id", "val-mixture-1")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\": \"\", \"components\": [{\"molecule_id\": \"x\", \"concentration\": -1, "
					+ "\"concentration_unit\": \"kg\"}], \"extra\": 1}")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_JSON)
			.expectHeader()
			.valueEquals("X-Request-Id", "val-mixture-1")
			.expectBody()
			.json("""
					{
					  "status": "error",
					  "message": "The request breaks the rules of endpoint 'mixture-create': 5 violations, listed in errors.",
					  "error": "The request breaks the rules of endpoint 'mixture-create': 5 violations, listed in errors.",
					  "code": 400,
					  "meta": {"error_type": "validation-failed", "context": "gateway"},
					  "type": "https://cryoprotect.io/problems/validation-failed",
					  "title": "Request validation failed",
					  "detail": "The request breaks the rules of endpoint 'mixture-create': 5 violations, listed in errors.",
					  "instance": "/api/v1/mixtures",
					  "requestId": "val-mixture-1",
					  "endpoint": "mixture-create",
					  "errors": [
					    {"pointer": "/name", "keyword": "minLength", "message": "must be at least 1 characters long"},
					    {"pointer": "/components/0/molecule_id", "keyword": "format",
					     "message": "does not match the uuid pattern must be a valid RFC 4122 UUID"},
					    {"pointer": "/components/0/concentration", "keyword": "minimum", "message": "must have a minimum value of 0"},
					    {"pointer": "/components/0/concentration_unit", "keyword": "enum",
					     "message": "does not have a value in the enumeration [\\"mg/mL\\", \\"%w/v\\", \\"%v/v\\", \\"mM\\", \\"µM\\"]"},
					    {"pointer": "/extra", "keyword": "additionalProperties",
					     "message": "property 'extra' is not defined in the schema and the schema does not allow additional properties"}
					  ]
					}
					""",
					JsonCompareMode.STRICT);
		assertThat(FLASK_BLUE.count()).isZero();
	}

	@Test
	void documentBreakingARuleThousandsOfTimesListsTheFirstHundred() {
		String components = String.join(",", Collections.nCopies(150, "{}"));
		postJson("/api/v1/mixtures", "{\"name\": \"m\", \"components\": [" + components + "]}").expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo("The request breaks the rules of endpoint 'mixture-create': 451 violations, "
					+ "the first 100 listed in errors.")
			.jsonPath("$.errors.length()")
			.isEqualTo(100)
			.jsonPath("$.errors[0].keyword")
			.isEqualTo("maxItems");
	}

	@Test
	void brokenSmilesIsAnsweredAtTheEdgeAndCostsNoRdkitCall() {
		client().post()
			.uri("/rdkit/calculate-properties")
			.header("X-Request-Id", "val-smiles-1")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"molecule_data\": \"OCC(O)C1O\", \"input_format\": \"smiles\"}")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.json("""
					{"error": "The request breaks the rules of endpoint 'rdkit-calculate-properties': 1 violation, listed in errors.",
					 "status": "error", "type": "https://cryoprotect.io/problems/validation-failed",
					 "endpoint": "rdkit-calculate-properties",
					 "errors": [{"pointer": "/molecule_data", "keyword": "format",
					             "message": "is not valid SMILES: unclosed ring bond 1 opened at position 7"}]}
					""");
		assertThat(RDKIT.count()).isZero();
		assertThat(RDKIT.bodyBytesTotal()).isZero();
	}

	@Test
	void validSmilesReachesRdkit() {
		postJson("/rdkit/calculate-properties", "{\"molecule_data\": \"OCC(O)CO\", \"input_format\": \"smiles\"}")
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		assertThat(RDKIT.last().uri()).isEqualTo("/api/calculate-properties");
	}

	@Test
	void trailingSlashDoesNotSkipTheCheck() {
		postJson("/api/v1/mixtures/", "{\"name\": \"\"}").expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.endpoint")
			.isEqualTo("mixture-create");
		assertThat(FLASK_BLUE.count()).isZero();
	}

	@Test
	void wrongMissingOrMalformedContentTypeIs415() {
		client().post()
			.uri("/convex/api/query")
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue("{\"path\": \"molecules:listMolecules\"}")
			.exchange()
			.expectStatus()
			.isEqualTo(415)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://cryoprotect.io/problems/unsupported-media-type")
			.jsonPath("$.detail")
			.isEqualTo("Content type 'text/plain' is not accepted; endpoint 'convex-query' "
					+ "takes [application/json] in UTF-8.");
		client().post()
			.uri("/convex/api/query")
			.bodyValue("{\"path\": \"molecules:listMolecules\"}".getBytes())
			.exchange()
			.expectStatus()
			.isEqualTo(415)
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo(
					"The request has no content type; endpoint 'convex-query' " + "takes [application/json] in UTF-8.");
		String body = "{\"path\": \"molecules:listMolecules\"}";
		RawHttp.Response malformed = RawHttp.send(port,
				"POST /convex/api/query HTTP/1.1\r\nHost: 127.0.0.1\r\n"
						+ "Content-Type: application/json;;=\r\nContent-Length: " + body.length()
						+ "\r\nConnection: close\r\n\r\n" + body);
		assertThat(malformed.status()).isEqualTo(415);
		client().post()
			.uri("/convex/api/query")
			.contentType(MediaType.parseMediaType("application/json;charset=ISO-8859-1"))
			.bodyValue("{\"path\": \"molecules:listMolecules\"}".getBytes())
			.exchange()
			.expectStatus()
			.isEqualTo(415)
			.expectBody()
			.returnResult();
		assertThat(CONVEX.count()).isZero();
	}

	@Test
	void jsonWithUtf8CharsetIsAccepted() {
		client().post()
			.uri("/convex/api/query")
			.contentType(MediaType.parseMediaType("application/json; charset=utf-8"))
			.bodyValue("{\"path\": \"molecules:listMolecules\", \"args\": {}}".getBytes())
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		assertThat(CONVEX.count()).isEqualTo(1);
	}

	@Test
	void queryParametersAreTypedAndChecked() {
		client().get()
			.uri("/api/v1/molecules?limit=0&offset=x")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.json("""
					{"endpoint": "molecule-list",
					 "errors": [
					   {"parameter": "limit", "in": "query", "keyword": "minimum", "message": "must have a minimum value of 1"},
					   {"parameter": "offset", "in": "query", "keyword": "type", "message": "string found, integer expected"}]}
					""");
		assertThat(FLASK_BLUE.count()).isZero();
		client().get()
			.uri("/api/v1/molecules?limit=500&offset=0")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		assertThat(FLASK_BLUE.last().uri()).isEqualTo("/api/v1/molecules?limit=500&offset=0");
	}

	@Test
	void outcomesAreCountedPerRouteAndEndpoint() {
		double valid = requests("convex", "convex-mutation", "valid");
		double rejected = requests("convex", "convex-mutation", "rejected");
		postJson("/convex/api/mutation", "{\"path\": \"molecules:createMolecule\", \"args\": {\"name\": \"water\"}}")
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		postJson("/convex/api/mutation", "{\"path\": \"createMolecule\"}").expectStatus()
			.isBadRequest()
			.expectBody()
			.returnResult();
		assertThat(requests("convex", "convex-mutation", "valid")).isEqualTo(valid + 1);
		assertThat(requests("convex", "convex-mutation", "rejected")).isEqualTo(rejected + 1);
		String metrics = management().get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(metrics).containsPattern(
				"gateway_validation_requests_total\\{endpoint=\"convex-mutation\",outcome=\"valid\",route=\"convex\"\\} [1-9]")
			.containsPattern(
					"gateway_validation_requests_total\\{endpoint=\"convex-mutation\",outcome=\"rejected\",route=\"convex\"\\} [1-9]")
			.contains(
					"gateway_validation_requests_total{endpoint=\"convex-mutation\",outcome=\"shadow_rejected\",route=\"convex\"}")
			.contains("gateway_validation_response_violations_total{endpoint=\"convex-mutation\",route=\"convex\"}");
	}

	@Test
	void shadowModeForwardsTheInvalidRequestUnchangedAndCountsIt() {
		editValidationYml("    requestSchema: mixture-create.json\n",
				"    requestSchema: mixture-create.json\n    mode: shadow\n");
		double shadowRejected = requests("flask-api", "mixture-create", "shadow_rejected");
		byte[] body = "{\"name\": \"\", \"components\": []}".getBytes(StandardCharsets.UTF_8);
		postReachesBlueByteForByte(body);
		assertThat(requests("flask-api", "mixture-create", "shadow_rejected")).isEqualTo(shadowRejected + 1);
	}

	@Test
	void shadowModeForwardsMalformedJsonAndAWrongContentTypeToo() {
		editValidationYml("    requestSchema: mixture-create.json\n",
				"    requestSchema: mixture-create.json\n    mode: shadow\n");
		double shadowRejected = requests("flask-api", "mixture-create", "shadow_rejected");
		postJson("/api/v1/mixtures", "{\"name\": ").expectStatus().isOk().expectBody().returnResult();
		client().post()
			.uri("/api/v1/mixtures")
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue("name=x")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		assertThat(FLASK_BLUE.received()).map(r -> r.bodyText()).containsExactly("{\"name\": ", "name=x");
		assertThat(requests("flask-api", "mixture-create", "shadow_rejected")).isEqualTo(shadowRejected + 2);
	}

	@Test
	void shippedShadowRuleOnAPathVariableForwardsAndCounts() {
		double shadowRejected = requests("flask-api", "mixture-get", "shadow_rejected");
		double valid = requests("flask-api", "mixture-get", "valid");
		client().get().uri("/api/v1/mixtures/not-a-uuid").exchange().expectStatus().isOk().expectBody().returnResult();
		client().get()
			.uri("/api/v1/mixtures/3f1c9a52-7d4e-4b5e-9a3c-1234567890ab")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		assertThat(requests("flask-api", "mixture-get", "shadow_rejected")).isEqualTo(shadowRejected + 1);
		assertThat(requests("flask-api", "mixture-get", "valid")).isEqualTo(valid + 1);
		assertThat(FLASK_BLUE.count()).isEqualTo(2);
	}

	@Test
	void offModeForwardsWithoutReadingOrCounting() {
		editValidationYml("    requestSchema: mixture-create.json\n",
				"    requestSchema: mixture-create.json\n    mode: off\n");
		double total = requests("flask-api", "mixture-create", "valid")
				+ requests("flask-api", "mixture-create", "rejected")
				+ requests("flask-api", "mixture-create", "shadow_rejected");
		client().post()
			.uri("/api/v1/mixtures")
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue("not json")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		assertThat(FLASK_BLUE.last().bodyText()).isEqualTo("not json");
		assertThat(
				requests("flask-api", "mixture-create", "valid") + requests("flask-api", "mixture-create", "rejected")
						+ requests("flask-api", "mixture-create", "shadow_rejected"))
			.isEqualTo(total);
	}

	@Test
	void pathsWithoutARuleAreNotTouched() {
		client().post()
			.uri("/api/v1/batch")
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue("anything")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		assertThat(FLASK_BLUE.last().bodyText()).isEqualTo("anything");
	}

	/**
	 * POSTs {@code body} as a mixture and asserts Flask blue answered and got it
	 * unchanged.
	 */
	private void postReachesBlueByteForByte(byte[] body) {
		client().post()
			.uri("/api/v1/mixtures")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("X-Upstream", "flask-blue")
			.expectBody()
			.returnResult();
		assertThat(FLASK_BLUE.last().body()).isEqualTo(body);
	}

}
