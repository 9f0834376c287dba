package io.cryoprotect.gateway.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRoutes;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo Convex's sync WebSocket, {@code /api/{version}/sync}, where
 * {@code ConvexReactClient} keeps its live queries: a tiny part of Convex's sync
 * protocol, enough to watch frames pass through the gateway both ways. A
 * {@code ModifyQuerySet} message is answered with a {@code Transition} that updates every
 * query it adds ({@code molecules:listMolecules} with the demo catalog, any other
 * function as failed, as Convex reports an unknown one); other client messages
 * ({@code Connect}, {@code Authenticate}, ...) get no answer, as from Convex.
 */
final class ConvexSyncStandIn {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/**
	 * Convex's timestamps are base64 of a little-endian u64; the stand-in's clock stands
	 * still.
	 */
	private static final String TS = "AAAAAAAAAAA=";

	private ConvexSyncStandIn() {
	}

	static void route(HttpServerRoutes routes) {
		routes.ws("/api/{version}/sync", ConvexSyncStandIn::session);
	}

	private static Publisher<Void> session(WebsocketInbound in, WebsocketOutbound out) {
		return out.sendString(in.receive()
			.asString()
			.map(JSON::readTree)
			.filter(message -> "ModifyQuerySet".equals(message.path("type").asString("")))
			.map(ConvexSyncStandIn::transition)
			.onErrorResume(error -> Mono.just("{\"type\":\"FatalError\",\"error\":\"malformed message\"}")));
	}

	private static String transition(JsonNode modify) {
		List<Map<String, Object>> updates = new ArrayList<>();
		for (JsonNode change : modify.path("modifications")) {
			if (!"Add".equals(change.path("type").asString(""))) {
				continue;
			}
			Map<String, Object> update = new LinkedHashMap<>();
			update.put("queryId", change.path("queryId").asInt());
			String udfPath = change.path("udfPath").asString("");
			if (udfPath.equals("molecules:listMolecules")) {
				update.put("type", "QueryUpdated");
				update.put("value", DemoCatalog.MOLECULES.stream().map(DemoCatalog.Molecule::convexRecord).toList());
			}
			else {
				update.put("type", "QueryFailed");
				update.put("errorMessage", "Could not find public function for '" + udfPath + "'");
			}
			update.put("logLines", List.of());
			updates.add(update);
		}
		Map<String, Object> transition = new LinkedHashMap<>();
		transition.put("type", "Transition");
		transition.put("startVersion", version(modify.path("baseVersion").asInt()));
		transition.put("endVersion", version(modify.path("newVersion").asInt()));
		transition.put("modifications", updates);
		return JSON.writeValueAsString(transition);
	}

	private static Map<String, Object> version(int querySet) {
		Map<String, Object> version = new LinkedHashMap<>();
		version.put("querySet", querySet);
		version.put("identity", 0);
		version.put("ts", TS);
		return version;
	}

}
