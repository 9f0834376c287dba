package io.cryoprotect.gateway.observability;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upstream 5xx answers show up as one group on {@code /actuator/gatewayerrors}, with
 * their request ids.
 */
class ErrorGroupsEndpointIntegrationTests extends ObservabilityIntegrationTest {

	@Test
	void upstreamServerErrorsAreGroupedOnTheEndpoint() {
		FLASK_BLUE.burst(500, 2, null);
		for (String id : new String[] { "group-1", "group-2" }) {
			client().get()
				.uri("/api/v1/molecules")
				.header("X-Request-Id", id)
				.exchange()
				.expectStatus()
				.isEqualTo(500)
				.expectBody()
				.returnResult();
		}
		String body = management().get()
			.uri("/actuator/gatewayerrors")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(body).contains("\"route\":\"flask-api\"")
			.contains("\"cause\":\"upstream_500\"")
			.contains("\"message\":\"upstream answered <n>\"")
			.contains("group-1")
			.contains("group-2");
	}

	@Test
	void clientErrorsAreNotGrouped() {
		client().get()
			.uri("/nowhere-to-be-grouped")
			.header("X-Request-Id", "not-grouped")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectBody()
			.returnResult();
		String body = management().get()
			.uri("/actuator/gatewayerrors")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(body).doesNotContain("not-grouped");
	}

}
