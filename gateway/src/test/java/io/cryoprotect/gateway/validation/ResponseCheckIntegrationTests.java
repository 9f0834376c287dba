package io.cryoprotect.gateway.validation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upstream responses of endpoints with a response schema are checked in shadow: a
 * violation is counted, and the response reaches the client unchanged either way. The
 * stub upstreams answer {@code {"upstream":"convex","path":"api/query"}}, which is not a
 * Convex result.
 */
class ResponseCheckIntegrationTests extends ValidationIntegrationTest {

	private static final String CALL = "{\"path\": \"molecules:listMolecules\", \"args\": {\"limit\": 5}}";

	private static final String STUB_ANSWER = "{\"upstream\":\"convex\",\"path\":\"api/query\"}";

	@Test
	void responseBreakingItsSchemaIsCountedAndPassedThroughUnchanged() {
		double violations = responseViolations("convex", "convex-query");
		String body = postJson("/convex/api/query", CALL).expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(body).isEqualTo(STUB_ANSWER);
		assertThat(responseViolations("convex", "convex-query")).isEqualTo(violations + 1);
	}

	@Test
	void responseMatchingItsSchemaIsNotCounted() {
		publish("schemas/convex-function-result.json", """
				{"type": "object", "required": ["upstream", "path"], "properties": {"upstream": {"const": "convex"}}}
				""");
		double violations = responseViolations("convex", "convex-query");
		postJson("/convex/api/query", CALL).expectStatus().isOk().expectBody(String.class).isEqualTo(STUB_ANSWER);
		assertThat(responseViolations("convex", "convex-query")).isEqualTo(violations);
	}

	@Test
	void responseLargerThanTheCapIsPassedThroughUnchecked() {
		editValidationYml("    path: /convex/api/query\n", "    path: /convex/api/query\n    maxResponseBytes: 10\n");
		double violations = responseViolations("convex", "convex-query");
		postJson("/convex/api/query", CALL).expectStatus().isOk().expectBody(String.class).isEqualTo(STUB_ANSWER);
		assertThat(responseViolations("convex", "convex-query")).isEqualTo(violations);
	}

	@Test
	void responseIsCheckedAlsoWhenTheRequestWasForwardedInShadow() {
		editValidationYml("    path: /convex/api/query\n", "    path: /convex/api/query\n    mode: shadow\n");
		double violations = responseViolations("convex", "convex-query");
		double shadowRejected = requests("convex", "convex-query", "shadow_rejected");
		postJson("/convex/api/query", "{\"path\": \"no-colon\"}").expectStatus()
			.isOk()
			.expectBody(String.class)
			.isEqualTo(STUB_ANSWER);
		assertThat(requests("convex", "convex-query", "shadow_rejected")).isEqualTo(shadowRejected + 1);
		assertThat(responseViolations("convex", "convex-query")).isEqualTo(violations + 1);
	}

	@Test
	void responsesAreCheckedAtTheirSampleRate() {
		editValidationYml("    path: /convex/api/query\n",
				"    path: /convex/api/query\n    responseSampleRate: 0.0\n");
		double violations = responseViolations("convex", "convex-query");
		for (int i = 0; i < 5; i++) {
			postJson("/convex/api/query", CALL).expectStatus().isOk().expectBody(String.class).isEqualTo(STUB_ANSWER);
		}
		assertThat(responseViolations("convex", "convex-query")).as("none sampled").isEqualTo(violations);
	}

	@Test
	void endpointInModeOffChecksNoResponse() {
		editValidationYml("    path: /convex/api/query\n", "    path: /convex/api/query\n    mode: off\n");
		double violations = responseViolations("convex", "convex-query");
		postJson("/convex/api/query", CALL).expectStatus().isOk().expectBody(String.class).isEqualTo(STUB_ANSWER);
		assertThat(responseViolations("convex", "convex-query")).isEqualTo(violations);
	}

}
