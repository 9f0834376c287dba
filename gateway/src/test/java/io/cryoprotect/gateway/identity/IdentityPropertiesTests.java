package io.cryoprotect.gateway.identity;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * An upstream API key never rides in a header the gateway asserts itself: a client's
 * value would pass through it.
 */
class IdentityPropertiesTests {

	private static IdentityProperties withKeyHeader(String header) {
		return new IdentityProperties(null, null, Map.of("rdkit", new IdentityProperties.ApiKey(header, "")), null,
				null);
	}

	@ParameterizedTest
	@ValueSource(strings = { "X-User-Id", "x-real-ip", "X-Forwarded-For" })
	void anIdentityHeaderCannotCarryAnApiKey(String header) {
		assertThatIllegalArgumentException().isThrownBy(() -> withKeyHeader(header))
			.withMessageContaining("gateway.identity.upstream-api-keys.rdkit.header")
			.withMessageContaining("'" + header + "'");
	}

	@Test
	void aHeaderOfItsOwnIsAccepted() {
		assertThat(withKeyHeader("X-API-Key").upstreamApiKeys().get("rdkit").header()).isEqualTo("X-API-Key");
		assertThat(withKeyHeader("X-API-Key").strippedHeaders()).contains("X-API-Key");
		assertThat(new IdentityProperties(null, null, null, null, null).upstreamApiKeys()).isEmpty();
	}

}
