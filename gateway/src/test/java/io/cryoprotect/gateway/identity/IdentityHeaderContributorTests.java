package io.cryoprotect.gateway.identity;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;

import io.cryoprotect.gateway.support.Caller;
import io.cryoprotect.gateway.support.RequestState;
import io.cryoprotect.gateway.support.UpstreamTarget;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What upstreams may believe about the caller, decided over a
 * {@link MockServerWebExchange}: forged identity headers never pass, the verified
 * caller's and the client address the gateway determined do, and a service's API key is
 * the gateway's, or while it has none, the client's for that service only.
 */
class IdentityHeaderContributorTests {

	private static final IdentityProperties.ApiKey RDKIT_KEY = new IdentityProperties.ApiKey("X-API-Key",
			"gateway-secret");

	private static IdentityHeaderContributor filter(Map<String, IdentityProperties.ApiKey> apiKeys) {
		return new IdentityHeaderContributor(new IdentityProperties(null, null, apiKeys, null, null));
	}

	/**
	 * Client headers as the routing filter copied them upstream, each identity header
	 * forged.
	 */
	private static HttpHeaders forged() {
		return new DefaultHttpHeaders().add("X-User-Id", "admin")
			.add("X-User-Role", "admin")
			.add("X-User-Email", "root@example.com")
			.add("X-User-Plan", "premium")
			.add("X-Authenticated-User", "admin")
			.add("X-Real-IP", "6.6.6.6")
			.add("X-API-Key", "client-key")
			.add("Accept", "application/json");
	}

	private static MockServerWebExchange exchange(String service) {
		MockServerWebExchange exchange = MockServerWebExchange
			.from(MockServerHttpRequest.get("http://gateway/api/v1/molecules")
				.remoteAddress(new InetSocketAddress("192.0.2.7", 50_000)));
		RequestState.of(exchange).target(new UpstreamTarget(service, "blue", "http://127.0.0.1:9101"), null);
		return exchange;
	}

	@Test
	void anAnonymousCallerGetsNoIdentityAndItsPeerAddress() {
		HttpHeaders headers = forged();
		filter(Map.of()).apply(headers, exchange("flask-api"));
		assertThat(headers.names()).containsExactlyInAnyOrder("Accept", "X-Real-IP", "X-Forwarded-For");
		assertThat(headers.getAll("X-Real-IP")).containsExactly("192.0.2.7");
		assertThat(headers.getAll("X-Forwarded-For")).as("one value, not the client's chain")
			.containsExactly("192.0.2.7");
	}

	@Test
	void theAddressResolvedBehindATrustedProxyWinsOverThePeer() {
		MockServerWebExchange exchange = exchange("flask-api");
		RequestState.of(exchange).clientAddress("203.0.113.9");
		HttpHeaders headers = forged();
		filter(Map.of()).apply(headers, exchange);
		assertThat(headers.getAll("X-Real-IP")).containsExactly("203.0.113.9");
		assertThat(headers.getAll("X-Forwarded-For")).containsExactly("203.0.113.9");
	}

	@Test
	void aVerifiedCallerReplacesWhatTheClientClaimed() {
		MockServerWebExchange exchange = exchange("flask-api");
		RequestState.of(exchange).caller(new Caller("user-1", null, "user", null, Instant.EPOCH));
		HttpHeaders headers = forged();
		filter(Map.of()).apply(headers, exchange);
		assertThat(headers.getAll("X-User-Id")).containsExactly("user-1");
		assertThat(headers.getAll("X-User-Role")).containsExactly("user");
		assertThat(headers.contains("X-User-Email")).as("the token has none: the forged one is gone too").isFalse();
		assertThat(headers.contains("X-User-Plan")).isFalse();
		assertThat(headers.contains("X-Authenticated-User")).isFalse();

		exchange = exchange("flask-api");
		RequestState.of(exchange).caller(new Caller("user-2", "u2@example.com", "admin", "premium", Instant.EPOCH));
		headers = forged();
		filter(Map.of()).apply(headers, exchange);
		assertThat(headers.getAll("X-User-Email")).containsExactly("u2@example.com");
		assertThat(headers.getAll("X-User-Plan")).containsExactly("premium");
	}

	@Test
	void theGatewaysApiKeyReplacesTheClientsForItsServiceOnly() {
		IdentityHeaderContributor filter = filter(Map.of("rdkit", RDKIT_KEY));
		HttpHeaders rdkit = forged();
		filter.apply(rdkit, exchange("rdkit"));
		assertThat(rdkit.getAll("X-API-Key")).containsExactly("gateway-secret");
		HttpHeaders flask = forged();
		filter.apply(flask, exchange("flask-api"));
		assertThat(flask.contains("X-API-Key")).as("never sent to another service").isFalse();
	}

	@Test
	void withoutTheGatewaysOwnKeyTheClientsPassesToThatServiceOnly() {
		IdentityHeaderContributor filter = filter(Map.of("rdkit", new IdentityProperties.ApiKey("X-API-Key", "")));
		HttpHeaders rdkit = forged();
		filter.apply(rdkit, exchange("rdkit"));
		assertThat(rdkit.getAll("X-API-Key")).containsExactly("client-key");
		assertThat(rdkit.contains("X-User-Id")).as("the other identity headers are still stripped").isFalse();
		HttpHeaders flask = forged();
		filter.apply(flask, exchange("flask-api"));
		assertThat(flask.contains("X-API-Key")).isFalse();
	}

}
