package io.cryoprotect.gateway.identity;

import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import io.cryoprotect.gateway.support.StandaloneGateway;
import io.cryoprotect.gateway.support.TestUpstreams;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client-sent identity headers never reach an upstream; the gateway says who the client
 * is (H8, H9).
 */
class IdentityHeadersIntegrationTests extends GatewayIntegrationTest {

	@Test
	void forgedIdentityHeadersAreStrippedBeforeForwarding() {
		client().get()
			.uri("/api/v1/molecules")
			.header("X-User-Id", "admin")
			.header("X-User-Role", "admin")
			.header("X-API-Key", "stolen")
			.header("X-Real-IP", "1.2.3.4")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		assertThat(FLASK_BLUE.last().headers().contains("X-User-Id")).isFalse();
		assertThat(FLASK_BLUE.last().headers().contains("X-User-Role")).isFalse();
		assertThat(FLASK_BLUE.last().headers().contains("X-API-Key")).isFalse();
	}

	/**
	 * With {@code RDKIT_API_KEY} set (as in this context), the gateway's key replaces the
	 * client's.
	 */
	@Test
	void rdkitGetsTheGatewaysApiKeyNeverTheClients() {
		client().post()
			.uri("/rdkit/similarity")
			.contentType(MediaType.APPLICATION_JSON)
			.header("X-API-Key", "from-browser")
			.bodyValue("{\"mol1_data\":\"OCC(O)CO\",\"mol2_data\":\"CS(=O)C\"}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		assertThat(RDKIT.last().headers().getAll("X-API-Key")).containsExactly(TestUpstreams.RDKIT_API_KEY);
		client().get().uri("/api/v1/molecules").exchange().expectStatus().isOk().expectBody().returnResult();
		assertThat(FLASK_BLUE.last().headers().contains("X-API-Key")).isFalse();
	}

	/**
	 * Without {@code RDKIT_API_KEY} the gateway has no key to inject, and a server-side
	 * script's own key passes to RDKit (and only there). The key is read at startup, so
	 * this needs a gateway of its own.
	 */
	@Test
	void withoutAGatewayKeyTheClientsOwnKeyPassesToRdkitOnly() {
		try (ConfigurableApplicationContext gateway = StandaloneGateway.start("--RDKIT_API_KEY=",
				"--RDKIT_URL=" + RDKIT.url(), "--FLASK_BLUE_URL=" + FLASK_BLUE.url(),
				"--FLASK_GREEN_URL=" + FLASK_GREEN.url(), "--CONVEX_URL=" + CONVEX.url(),
				"--gateway.routing.dir=" + ROUTES.path())) {
			WebTestClient standalone = WebTestClient.bindToServer()
				.baseUrl("http://127.0.0.1:" + StandaloneGateway.port(gateway))
				.build();
			standalone.post()
				.uri("/rdkit/similarity")
				.contentType(MediaType.APPLICATION_JSON)
				.header("X-API-Key", "script-key")
				.bodyValue("{\"mol1_data\":\"OCC(O)CO\",\"mol2_data\":\"CS(=O)C\"}")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.returnResult();
			assertThat(RDKIT.last().headers().getAll("X-API-Key")).containsExactly("script-key");
			standalone.get()
				.uri("/api/v1/molecules")
				.header("X-API-Key", "script-key")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.returnResult();
			assertThat(FLASK_BLUE.last().headers().contains("X-API-Key")).isFalse();
			standalone.post()
				.uri("/convex/api/query")
				.contentType(MediaType.APPLICATION_JSON)
				.header("X-API-Key", "script-key")
				.bodyValue("{\"path\":\"molecules:listMolecules\",\"args\":{}}")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.returnResult();
			assertThat(CONVEX.last().headers().contains("X-API-Key")).isFalse();
		}
	}

	@Test
	void spoofedForwardingHeadersDoNotChangeTheClientAddress() {
		client().get()
			.uri("/api/v1/molecules")
			.header("X-Forwarded-For", "198.51.100.1")
			.header("Forwarded", "for=198.51.100.2")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		assertThat(FLASK_BLUE.last().headers().getAll("X-Real-IP")).containsExactly("127.0.0.1");
		// One value, the resolved client: Flask's ProxyFix(x_for=1) reads the last one,
		// never the forged chain.
		assertThat(FLASK_BLUE.last().headers().getAll("X-Forwarded-For")).containsExactly("127.0.0.1");
		assertThat(FLASK_BLUE.last().headers().contains("Forwarded")).isFalse();
	}

}
