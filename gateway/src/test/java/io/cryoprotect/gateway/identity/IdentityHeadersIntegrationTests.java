package io.cryoprotect.gateway.identity;

import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import io.cryoprotect.gateway.support.TestUpstreams;
import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/** Client-sent identity headers never reach an upstream; the gateway says who the client is (H8, H9). */
class IdentityHeadersIntegrationTests extends GatewayIntegrationTest {

	@Test
	void forgedIdentityHeadersAreStrippedBeforeForwarding() {
		client().get().uri("/api/v1/molecules")
			.header("X-User-Id", "admin")
			.header("X-User-Role", "admin")
			.header("X-API-Key", "stolen")
			.header("X-Real-IP", "1.2.3.4")
			.exchange().expectStatus().isOk().expectBody().returnResult();
		assertThat(FLASK_BLUE.last().headers().contains("X-User-Id")).isFalse();
		assertThat(FLASK_BLUE.last().headers().contains("X-User-Role")).isFalse();
		assertThat(FLASK_BLUE.last().headers().contains("X-API-Key")).isFalse();
	}

	@Test
	void rdkitGetsTheGatewaysApiKeyNeverTheClients() {
		client().post().uri("/rdkit/similarity").contentType(MediaType.APPLICATION_JSON).header("X-API-Key", "from-browser")
			.bodyValue("{\"mol1_data\":\"OCC(O)CO\",\"mol2_data\":\"CS(=O)C\"}")
			.exchange().expectStatus().isOk().expectBody().returnResult();
		assertThat(RDKIT.last().headers().getAll("X-API-Key")).containsExactly(TestUpstreams.RDKIT_API_KEY);
		client().get().uri("/api/v1/molecules").exchange().expectStatus().isOk().expectBody().returnResult();
		assertThat(FLASK_BLUE.last().headers().contains("X-API-Key")).isFalse();
	}

	@Test
	void spoofedForwardingHeadersDoNotChangeTheClientAddress() {
		client().get().uri("/api/v1/molecules")
			.header("X-Forwarded-For", "198.51.100.1")
			.header("Forwarded", "for=198.51.100.2")
			.exchange().expectStatus().isOk().expectBody().returnResult();
		assertThat(FLASK_BLUE.last().headers().getAll("X-Real-IP")).containsExactly("127.0.0.1");
	}

}
