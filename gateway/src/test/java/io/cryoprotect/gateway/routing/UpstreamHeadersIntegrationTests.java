package io.cryoprotect.gateway.routing;

import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import io.cryoprotect.gateway.support.StubUpstream;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What crosses the gateway in headers (RFC 9110 7.6.1): end-to-end headers go through
 * both ways; hop-by-hop ones, those a Connection header names, and client forwarding
 * headers do not; the upstream gets its own Host unless the route preserves the client's.
 */
class UpstreamHeadersIntegrationTests extends GatewayIntegrationTest {

	private static final String FLASK = "flask-api.yml";

	@Test
	void endToEndRequestHeadersPassAndHopByHopOnesDoNot() {
		client().get()
			.uri("/api/v1/molecules")
			.header("X-Custom", "kept")
			.header("Connection", "keep-alive, X-Listed")
			.header("X-Listed", "dropped")
			.header("TE", "trailers")
			.header("Proxy-Authorization", "Basic dropped")
			.header("X-Forwarded-Host", "evil.example")
			.header("X-Forwarded-Proto", "https")
			.header("X-Forwarded-Prefix", "/evil")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		HttpHeaders seen = FLASK_BLUE.last().headers();
		assertThat(seen.get("X-Custom")).isEqualTo("kept");
		assertThat(seen.contains("X-Listed")).isFalse();
		assertThat(seen.contains("TE")).isFalse();
		assertThat(seen.contains("Proxy-Authorization")).isFalse();
		assertThat(seen.contains("X-Forwarded-Host")).isFalse();
		assertThat(seen.contains("X-Forwarded-Proto")).isFalse();
		assertThat(seen.contains("X-Forwarded-Prefix")).isFalse();
		assertThat("http://" + seen.get("Host")).isEqualTo(FLASK_BLUE.url());
	}

	@Test
	void repeatedHeadersPassOnceEachWithTheirValuesInOrder() {
		client().get()
			.uri("/api/v1/molecules")
			.header("X-Repeated", "first", "second")
			.header("Accept", "application/json")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		HttpHeaders seen = FLASK_BLUE.last().headers();
		assertThat(seen.getAll("X-Repeated")).containsExactly("first", "second");
		assertThat(seen.getAll("Accept")).containsExactly("application/json");
	}

	@Test
	void headersARouteFilterChangedAreForwardedUnderTheSameRules() {
		// A route filter replaces the request (and its headers): the gateway forwards
		// that one.
		ROUTES.swap(FLASK, ROUTES.original(FLASK)
			.replace("    sticky: user", "    filters:\n      - AddRequestHeader=X-Added, by-route\n    sticky: user"));
		reloader.reloadNow();
		client().get()
			.uri("/api/v1/molecules")
			.header("X-Custom", "kept")
			.header("X-Repeated", "first", "second")
			.header("Connection", "keep-alive, X-Listed")
			.header("X-Listed", "dropped")
			.header("TE", "trailers")
			.header("X-Forwarded-For", "203.0.113.9")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		HttpHeaders seen = FLASK_BLUE.last().headers();
		assertThat(seen.get("X-Added")).isEqualTo("by-route");
		assertThat(seen.get("X-Custom")).isEqualTo("kept");
		assertThat(seen.getAll("X-Repeated")).containsExactly("first", "second");
		assertThat(seen.contains("X-Listed")).isFalse();
		assertThat(seen.contains("TE")).isFalse();
		// The client's chain never passes; the gateway's own value is the address it
		// resolved.
		assertThat(seen.get("X-Forwarded-For")).isEqualTo("127.0.0.1");
		assertThat("http://" + seen.get("Host")).isEqualTo(FLASK_BLUE.url());
	}

	@Test
	void hopByHopResponseHeadersAreDroppedAndTheRestPass() {
		client().get()
			.uri("/api/v1/molecules")
			.header(StubUpstream.HOP_BY_HOP_PROBE, "1")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("X-End-To-End", "1")
			.expectHeader()
			.doesNotExist("X-Hop")
			.expectHeader()
			.doesNotExist("Keep-Alive")
			.expectBody()
			.returnResult();
	}

	@Test
	void aRouteCanPreserveTheClientsHost() {
		ROUTES.swap(FLASK, ROUTES.original(FLASK)
			.replace("    sticky: user", "    filters:\n      - name: PreserveHostHeader\n    sticky: user"));
		reloader.reloadNow();
		client().get()
			.uri("/api/v1/molecules")
			.header("Host", "api.cryoprotect.test")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		assertThat(FLASK_BLUE.last().headers().get("Host")).isEqualTo("api.cryoprotect.test");
	}

}
