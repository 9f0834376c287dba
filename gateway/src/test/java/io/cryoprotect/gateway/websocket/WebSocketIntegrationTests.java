package io.cryoprotect.gateway.websocket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import io.cryoprotect.gateway.support.Scrape;
import io.cryoprotect.gateway.support.StubUpstream;
import io.cryoprotect.gateway.support.TestTokens;
import io.cryoprotect.gateway.support.TestWebSocket;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * WebSocket proxying on the Convex sync route ({@code websocket: true} in
 * routes/convex.yml), with a real WebSocket client through the gateway to the Convex
 * stub's WebSocket. The shared test gateway allows {@value #WEBSOCKETS_PER_CALLER}
 * sockets per caller and {@value #WEBSOCKETS} in total.
 */
class WebSocketIntegrationTests extends GatewayIntegrationTest {

	private static final String SYNC = "/convex/api/1.24.1/sync";

	private static final String CONNECTIONS = "gateway_websocket_connections{route=\"convex-sync\"}";

	private final List<TestWebSocket> sockets = new ArrayList<>();

	@AfterEach
	void closeSockets() throws Exception {
		for (TestWebSocket socket : sockets) {
			socket.close();
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> scrape().value(CONNECTIONS) == 0);
	}

	@Test
	void framesGoBothWaysUnchangedToTheRewrittenPathWithoutAToken() throws Exception {
		double clientClosed = scrape().value(sessions("client"));
		TestWebSocket socket = open(SYNC, headers -> headers.set("X-Request-Id", "ws-sync-1"));
		// The stub's first frame names the path it was asked for: /convex stripped, as
		// for Convex's HTTP API.
		assertThat(socket.next()).isEqualTo("{\"upstream\":\"convex\",\"path\":\"api/1.24.1/sync\"}");
		socket.send("{\"type\":\"Connect\",\"sessionId\":\"s-1\",\"connectionCount\":0}");
		assertThat(socket.next()).isEqualTo("echo:{\"type\":\"Connect\",\"sessionId\":\"s-1\",\"connectionCount\":0}");
		socket.send("Modify ∆ qüery");
		assertThat(socket.next()).isEqualTo("echo:Modify ∆ qüery");

		StubUpstream.Received upgrade = CONVEX.last();
		assertThat(upgrade.method()).isEqualTo("GET");
		assertThat(upgrade.uri()).isEqualTo("/api/1.24.1/sync");
		assertThat(upgrade.headers().get("X-Request-Id")).isEqualTo("ws-sync-1");
		assertThat(upgrade.headers().get("X-Real-IP")).isEqualTo("127.0.0.1");
		assertThat(upgrade.headers().contains("Authorization")).isFalse();
		assertThat(scrape().value(CONNECTIONS)).isEqualTo(1);
		assertThat(scrape().series("gateway_requests_seconds_count{"))
			.as("the handshake is timed as any request, as a 1xx (101)")
			.anyMatch(series -> series.contains("route=\"convex-sync\"") && series.contains("status=\"1xx\""));

		socket.close();
		await().atMost(Duration.ofSeconds(10)).until(() -> scrape().value(CONNECTIONS) == 0);
		assertThat(scrape().value(sessions("client"))).isEqualTo(clientClosed + 1);
		// The client's close frame went on to the upstream.
		await().atMost(Duration.ofSeconds(10)).until(() -> CONVEX.webSocketCloses().contains("1000 done"));
	}

	@Test
	void theUpstreamsCloseFrameReachesTheClient() throws Exception {
		double upstreamClosed = scrape().value(sessions("upstream"));
		TestWebSocket socket = open(SYNC, headers -> {
		});
		socket.next();
		socket.send("close");
		assertThat(socket.awaitCloseFrame()).isEqualTo("4000 closed by upstream");
		await().atMost(Duration.ofSeconds(10)).until(() -> scrape().value(sessions("upstream")) == upstreamClosed + 1);
	}

	@Test
	void anUnreachableUpstreamClosesTheClientsSocketAsBadGateway() throws Exception {
		double failed = scrape().value(sessions("error"));
		CONVEX.down();
		TestWebSocket socket = open(SYNC, headers -> {
		});
		// The client's handshake is answered before the upstream's: the socket then
		// closes with 1014.
		assertThat(socket.awaitCloseFrame()).isEqualTo("1014 bad gateway");
		await().atMost(Duration.ofSeconds(10)).until(() -> scrape().value(sessions("error")) == failed + 1);
	}

	@Test
	void upgradeCountsOnceAgainstTheRateLimitWhateverTheFrames() throws Exception {
		String decisions = "gateway_ratelimit_requests_total{limit=\"convex\",result=\"shadow_rejected\",route=\"convex-sync\",tier=\"anonymous\"}";
		String allowed = decisions.replace("shadow_rejected", "allowed");
		double before = scrape().value(decisions) + scrape().value(allowed);
		TestWebSocket socket = open(SYNC, headers -> {
		});
		socket.next();
		for (int i = 0; i < 5; i++) {
			socket.send("frame " + i);
			assertThat(socket.next()).isEqualTo("echo:frame " + i);
		}
		assertThat(scrape().value(decisions) + scrape().value(allowed)).isEqualTo(before + 1);
	}

	@Test
	void socketsAreCappedPerCallerAndInTotal() throws Exception {
		for (int i = 0; i < WEBSOCKETS_PER_CALLER; i++) {
			open(SYNC, headers -> {
			}).next();
		}
		TestWebSocket third = TestWebSocket.connect(port, SYNC);
		assertThat(third.awaitRefusal()).as("the anonymous caller's share is taken").isEqualTo(429);
		assertThat(third.refusalHeader("Retry-After")).isEqualTo("5");

		// Another caller (a verified user) gets the last place in total, the next one
		// none.
		TestWebSocket user = open(SYNC,
				headers -> headers.set("Authorization", "Bearer " + TestTokens.hs256("ws-user-1")));
		assertThat(user.next()).contains("\"upstream\":\"convex\"");
		TestWebSocket full = TestWebSocket.connect(port, SYNC,
				headers -> headers.set("Authorization", "Bearer " + TestTokens.hs256("ws-user-2")));
		assertThat(full.awaitRefusal()).as("the gateway's total is taken").isEqualTo(503);
		assertThat(full.refusalHeader("Retry-After")).isEqualTo("5");
		assertThat(scrape().value(CONNECTIONS)).isEqualTo(WEBSOCKETS);

		// A closed socket frees its place.
		sockets.remove(user);
		user.close();
		await().atMost(Duration.ofSeconds(10)).until(() -> scrape().value(CONNECTIONS) == WEBSOCKETS - 1);
		open(SYNC, headers -> headers.set("Authorization", "Bearer " + TestTokens.hs256("ws-user-2"))).next();
	}

	@Test
	void otherRoutesStillForwardAnUpgradeAsAPlainRequest() throws Exception {
		TestWebSocket socket = TestWebSocket.connect(port, "/api/v1/molecules");
		assertThat(socket.awaitRefusal()).isEqualTo(200);
		StubUpstream.Received plain = FLASK_BLUE.last();
		assertThat(plain.uri()).isEqualTo("/api/v1/molecules");
		assertThat(plain.headers().contains("Upgrade")).isFalse();
	}

	@Test
	void aPlainRequestOnTheWebSocketRouteIsForwardedAsHttp() {
		client().get()
			.uri(SYNC)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.path")
			.isEqualTo("api/1.24.1/sync");
	}

	private TestWebSocket open(String path, Consumer<HttpHeaders> headers) throws Exception {
		TestWebSocket socket = TestWebSocket.connect(port, path, headers);
		sockets.add(socket);
		return socket.awaitOpen();
	}

	private static String sessions(String close) {
		return "gateway_websocket_sessions_total{close=\"" + close + "\",route=\"convex-sync\"}";
	}

	private Scrape scrape() {
		return new Scrape(management().get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody());
	}

}
