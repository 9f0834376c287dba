package io.cryoprotect.gateway.identity;

import java.time.Instant;
import java.util.Date;

import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import io.cryoprotect.gateway.support.TestTokens;
import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Verified callers are known to upstreams; forged or missing tokens are refused where it
 * matters (H9).
 */
class JwtIdentityIntegrationTests extends GatewayIntegrationTest {

	@Test
	void verifiedCallerReachesTheUpstreamAsHeadersTheClientCannotForge() {
		client().get()
			.uri("/api/v1/molecules")
			.header("Authorization", "Bearer " + TestTokens.hs256("user-42"))
			.header("X-User-Id", "admin")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		assertThat(FLASK_BLUE.last().headers().getAll("X-User-Id")).containsExactly("user-42");
		assertThat(FLASK_BLUE.last().headers().get("X-User-Role")).isEqualTo("user");
		assertThat(FLASK_BLUE.last().headers().get("X-User-Plan")).isEqualTo("premium");
	}

	@Test
	void tokenInTheAccessTokenCookieCounts() {
		client().get()
			.uri("/api/v1/molecules")
			.cookie("access_token", TestTokens.hs256("user-7"))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		assertThat(FLASK_BLUE.last().headers().get("X-User-Id")).isEqualTo("user-7");
	}

	@Test
	void authenticatedEndpointRefusesAnonymousCallersWith401() {
		String predictions = "/api/v1/mixtures/a0b1c2d3-0000-4000-8000-000000000001/predictions";
		client().post()
			.uri(predictions)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{}")
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.valueEquals("WWW-Authenticate", "Bearer realm=\"cryoprotect\"")
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://cryoprotect.io/problems/unauthorized");
		assertThat(FLASK_BLUE.count()).isZero();
		client().post()
			.uri(predictions)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{}")
			.header("Authorization", "Bearer " + TestTokens.hs256("user-1"))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
	}

	@Test
	void forgedUnsignedOrExpiredTokensAreRefusedNotTreatedAsAnonymous() {
		String forged = TestTokens.hs256(TestTokens.claims("admin").build(), TestTokens.HMAC_SECRET + "-guessed");
		String unsigned = TestTokens.unsigned(TestTokens.claims("admin").claim("role", "admin").build());
		String expired = TestTokens.hs256(
				TestTokens.claims("user-9").expirationTime(Date.from(Instant.now().minusSeconds(300))).build(),
				TestTokens.HMAC_SECRET);
		for (String token : new String[] { forged, unsigned, expired }) {
			client().get()
				.uri("/api/v1/molecules")
				.header("Authorization", "Bearer " + token)
				.exchange()
				.expectStatus()
				.isUnauthorized()
				.expectBody()
				.returnResult();
		}
		assertThat(FLASK_BLUE.count()).isZero();
	}

}
