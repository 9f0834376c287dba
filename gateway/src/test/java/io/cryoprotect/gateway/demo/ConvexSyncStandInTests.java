package io.cryoprotect.gateway.demo;

import io.cryoprotect.gateway.support.TestWebSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo Convex's sync WebSocket, over a real socket: a live query added is answered
 * with a Transition.
 */
class ConvexSyncStandInTests {

	private final DisposableServer convex = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.route(ConvexSyncStandIn::route)
		.bindNow();

	@AfterEach
	void stop() {
		convex.disposeNow();
	}

	@Test
	void addedQueriesAreAnsweredWithATransitionAndOtherMessagesWithNothing() throws Exception {
		try (TestWebSocket socket = TestWebSocket.connect(convex.port(), "/api/1.24.1/sync").awaitOpen()) {
			socket.send("{\"type\":\"Connect\",\"sessionId\":\"5f0c\",\"connectionCount\":0}");
			socket.send("{\"type\":\"ModifyQuerySet\",\"baseVersion\":0,\"newVersion\":1,\"modifications\":["
					+ "{\"type\":\"Add\",\"queryId\":0,\"udfPath\":\"molecules:listMolecules\",\"args\":[{}]},"
					+ "{\"type\":\"Add\",\"queryId\":1,\"udfPath\":\"nothing:here\",\"args\":[{}]}]}");
			String transition = socket.next();
			assertThat(transition).startsWith("{\"type\":\"Transition\",\"startVersion\":{\"querySet\":0,")
				.contains("\"endVersion\":{\"querySet\":1,")
				.contains("{\"queryId\":0,\"type\":\"QueryUpdated\",\"value\":[{\"_id\":")
				.contains(
						"{\"queryId\":1,\"type\":\"QueryFailed\",\"errorMessage\":\"Could not find public function for 'nothing:here'\"");
		}
	}

	@Test
	void onlyTheSyncPathIsAWebSocket() throws Exception {
		assertThat(TestWebSocket.connect(convex.port(), "/api/1.24.1/other").awaitRefusal()).isEqualTo(404);
	}

}
