package io.cryoprotect.gateway.routing;

import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The public paths of docs/upstreams.md reach the right upstream with the right rewritten
 * path.
 */
class RoutingIntegrationTests extends GatewayIntegrationTest {

	@Test
	void flaskApiPathsAreForwardedUnchanged() {
		client().get()
			.uri("/api/v1/molecules?limit=5&offset=10")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("X-Upstream", "flask-blue")
			.expectBody()
			.returnResult();
		assertThat(FLASK_BLUE.last().uri()).isEqualTo("/api/v1/molecules?limit=5&offset=10");
	}

	@Test
	void authPathsGoToFlaskAtTheRoot() {
		String body = "{\"email\":\"a@b.org\",\"password\":\"secret\"}";
		client().post()
			.uri("/auth/login")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("X-Upstream", "flask-blue")
			.expectBody()
			.returnResult();
		assertThat(FLASK_BLUE.last().uri()).isEqualTo("/auth/login");
		assertThat(FLASK_BLUE.last().bodyBytes()).isEqualTo(body.length());
	}

	@Test
	void rdkitOperationIsRewrittenToApiPrefix() {
		client().post()
			.uri("/rdkit/calculate-properties")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"molecule_data\":\"OCC(O)CO\",\"input_format\":\"smiles\"}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("X-Upstream", "rdkit")
			.expectBody()
			.returnResult();
		assertThat(RDKIT.last().uri()).isEqualTo("/api/calculate-properties");
		assertThat(RDKIT.last().method()).isEqualTo("POST");
	}

	@Test
	void convexApiLosesItsFirstSegment() {
		client().post()
			.uri("/convex/api/query")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"path\":\"molecules:listMolecules\",\"args\":{\"limit\":5},\"format\":\"json\"}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("X-Upstream", "convex")
			.expectBody()
			.returnResult();
		assertThat(CONVEX.last().uri()).isEqualTo("/api/query");
	}

	@Test
	void methodOutsideTheRouteIsNotRouted() {
		// The path is RDKit's, so the 404 is in RDKit's error shape.
		client().get()
			.uri("/rdkit/calculate-properties")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_JSON)
			.expectBody()
			.jsonPath("$.error")
			.isEqualTo("No route matches this path and method.")
			.jsonPath("$.type")
			.isEqualTo("https://cryoprotect.io/problems/no-route");
		assertThat(RDKIT.count()).isZero();
	}

	@Test
	void unknownPathIsProblemJson404WithRequestId() {
		client().get()
			.uri("/nowhere")
			.header("X-Request-Id", "req-123")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader()
			.valueEquals("X-Request-Id", "req-123")
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://cryoprotect.io/problems/no-route")
			.jsonPath("$.status")
			.isEqualTo(404)
			.jsonPath("$.instance")
			.isEqualTo("/nowhere")
			.jsonPath("$.requestId")
			.isEqualTo("req-123");
	}

	@Test
	void managementEndpointsAreNotOnThePublicPort() {
		client().get().uri("/actuator/health").exchange().expectStatus().isNotFound().expectBody().returnResult();
		client().get()
			.uri("/actuator/gatewayroutes")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectBody()
			.returnResult();
	}

	@Test
	void springCloudGatewayActuatorIsNeverExposed() {
		management().get()
			.uri("/actuator/gateway/routes")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectBody()
			.returnResult();
		management().get().uri("/actuator/env").exchange().expectStatus().isNotFound().expectBody().returnResult();
		management().get().uri("/actuator/refresh").exchange().expectStatus().isNotFound().expectBody().returnResult();
	}

	@Test
	void statusEndpointShowsLiveRoutesAndWeights() {
		management().get()
			.uri("/actuator/gatewayroutes")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.version")
			.isNotEmpty()
			.jsonPath("$.loadedAt")
			.isNotEmpty()
			.jsonPath("$.routes[?(@.id == 'flask-api')].upstreams[0].colour")
			.isEqualTo("blue")
			.jsonPath("$.routes[?(@.id == 'flask-api')].upstreams[0].weight")
			.isEqualTo(100)
			.jsonPath("$.routes[?(@.id == 'flask-api')].upstreams[1].colour")
			.isEqualTo("green")
			.jsonPath("$.routes[?(@.id == 'flask-api')].upstreams[1].weight")
			.isEqualTo(0)
			.jsonPath("$.routes[?(@.id == 'rdkit')].owner")
			.isEqualTo("cryoprotect-chemistry");
	}

	@Test
	void upstreamOutageIs502ProblemJsonAndNeverTouchesReadiness() {
		ROUTES.swap("convex.yml",
				ROUTES.original("convex.yml").replace("${CONVEX_URL:http://127.0.0.1:9104}", "http://127.0.0.1:1"));
		reloader.reloadNow();
		client().post()
			.uri("/convex/api/query")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"path\":\"molecules:listMolecules\",\"args\":{}}")
			.exchange()
			.expectStatus()
			.isEqualTo(502)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://cryoprotect.io/problems/upstream-unreachable");
		management().get()
			.uri("/actuator/health/readiness")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
	}

	@Test
	void readinessAndLivenessAreUp() {
		management().get()
			.uri("/actuator/health/readiness")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("UP")
			.jsonPath("$.components.config.status")
			.isEqualTo("UP");
		management().get()
			.uri("/actuator/health/liveness")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
	}

}
