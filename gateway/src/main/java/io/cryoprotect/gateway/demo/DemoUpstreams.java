package io.cryoprotect.gateway.demo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * In-process stand-ins for flask-blue (:9101), flask-green (:9102), rdkit (:9103) and
 * convex (:9104), started only by the {@code demo} profile. They answer the real paths and
 * shapes of the CryoProtect services and tag every response with {@code X-Upstream}; convex also
 * serves its sync WebSocket ({@link ConvexSyncStandIn}).
 */
@Component
@Profile("demo")
class DemoUpstreams implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(DemoUpstreams.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final List<DisposableServer> servers = new ArrayList<>();

	private final DemoTokens tokens;

	DemoUpstreams(@Value("${gateway.identity.jwt.hmac-secret}") String signingKey) {
		this.tokens = new DemoTokens(signingKey);
	}

	@Override
	public void start() {
		servers.add(start("flask-blue", 9101, routes -> flask(routes, "blue", tokens)));
		servers.add(start("flask-green", 9102, routes -> flask(routes, "green", tokens)));
		servers.add(start("rdkit", 9103, DemoUpstreams::rdkit));
		servers.add(start("convex", 9104, DemoUpstreams::convex));
	}

	private static DisposableServer start(String name, int port, Consumer<HttpServerRoutes> routes) {
		DisposableServer server = HttpServer.create()
			.host("127.0.0.1")
			.port(port)
			.route(r -> {
				routes.accept(r);
				r.route(req -> true, (req, res) -> json(res, 404, Map.of("error", "not found: " + req.uri())));
			})
			.bindNow();
		logger.info("Demo upstream " + name + " listening on 127.0.0.1:" + port);
		return server;
	}

	private static void flask(HttpServerRoutes r, String colour, DemoTokens tokens) {
		String upstream = "flask-" + colour;
		r.get("/health", (req, res) -> tagged(res, upstream, 200, healthBody(colour)))
			.get("/api/v1/molecules", (req, res) -> tagged(res, upstream, 200, envelope(200, "Molecules retrieved",
					DemoCatalog.MOLECULES.stream().map(DemoCatalog.Molecule::flaskRecord).toList(),
					Map.of("limit", 100, "offset", 0, "total", DemoCatalog.MOLECULES.size()))))
			.get("/api/v1/molecules/{id}", (req, res) -> {
				DemoCatalog.Molecule m = DemoCatalog.byId(req.param("id"));
				return m == null ? tagged(res, upstream, 404, error(404, "Molecule not found"))
						: tagged(res, upstream, 200, envelope(200, "Molecule retrieved", m.flaskRecord(), null));
			})
			.post("/api/v1/molecules", withBody(upstream, body -> {
				Map<String, Object> created = new LinkedHashMap<>(DemoCatalog.MOLECULES.get(0).flaskRecord());
				created.put("id", UUID.randomUUID().toString());
				created.put("cid", body.path("cid").asInt());
				return new Answer(201, envelope(201, "Molecule imported from PubChem", created, null));
			}))
			.get("/api/v1/mixtures", (req, res) -> tagged(res, upstream, 200,
					envelope(200, "Mixtures retrieved", List.of(mixture("VS55", 1)), null)))
			.post("/api/v1/mixtures", withBody(upstream, body -> {
				Map<String, Object> created = JSON.convertValue(body, Map.class);
				created.put("id", UUID.randomUUID().toString());
				created.put("created_at", Instant.now().toString());
				return new Answer(201, envelope(201, "Mixture created", created, null));
			}))
			.post("/auth/login", withBody(upstream, body -> {
				// Any password works in the demo; an email starting with "admin" logs in as an admin.
				String email = body.path("email").asString("demo@cryoprotect.io");
				String role = email.startsWith("admin") ? "admin" : "user";
				return new Answer(200, envelope(200, "Login successful",
						Map.of("access_token", tokens.mint(email, role, "basic"), "token_type", "bearer", "expires_in",
								3600, "user", Map.of("email", email, "role", role)),
						null));
			}));
	}

	private static void rdkit(HttpServerRoutes r) {
		String upstream = "rdkit";
		r.get("/health", (req, res) -> tagged(res, upstream, 200,
				Map.of("status", "ok", "service", "rdkit-service", "timestamp", Instant.now().toString())))
			.get("/rdkit-check", (req, res) -> tagged(res, upstream, 200,
					Map.of("status", "ok", "rdkit_version", "2024.09.4", "timestamp", Instant.now().toString())))
			.post("/api/calculate-properties", withBody(upstream, body -> new Answer(200,
					properties(body.path("molecule_data").asString("")))))
			.post("/api/similarity", withBody(upstream, body -> {
				boolean same = body.path("mol1_data").asString("").equals(body.path("mol2_data").asString(""));
				return new Answer(200, Map.of("tanimoto", same ? 1.0 : 0.4211, "dice", same ? 1.0 : 0.5926,
						"fingerprint_type", body.path("fingerprint_type").asString("morgan")));
			}))
			.post("/api/substructure-search", withBody(upstream, body -> {
				boolean match = body.path("target_mol_data").asString("").contains(body.path("query_mol_data").asString("~"));
				return new Answer(200, Map.of("match", match, "match_count", match ? 1 : 0, "matches",
						match ? List.of(List.of(0, 1)) : List.of()));
			}));
	}

	private static void convex(HttpServerRoutes r) {
		String upstream = "convex";
		BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> call = withBody(upstream, body -> {
			String path = body.path("path").asString("");
			JsonNode args = body.path("args");
			return switch (path) {
				case "molecules:listMolecules" -> convex("success", "value",
						DemoCatalog.MOLECULES.stream().limit(args.path("limit").asInt(100)).map(DemoCatalog.Molecule::convexRecord).toList());
				case "molecules:getMolecule", "molecules:getMoleculeWithProperties" -> convex("success", "value",
						DemoCatalog.MOLECULES.get(0).convexRecord());
				case "molecules:createMolecule" -> convex("success", "value", "k17" + UUID.randomUUID().toString().substring(0, 12));
				default -> convex("error", "errorMessage", "Could not find public function for '" + path + "'");
			};
		});
		r.post("/api/query", call).post("/api/mutation", call).post("/api/action", call);
		ConvexSyncStandIn.route(r);
	}

	/** Convex's answer shape, {@code {"status": ..., "value"|"errorMessage": ...}}, in that order. */
	private static Answer convex(String status, String key, Object value) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("status", status);
		body.put(key, value);
		return new Answer(status.equals("success") ? 200 : 400, body);
	}

	private static Map<String, Object> properties(String smiles) {
		DemoCatalog.Molecule m = DemoCatalog.bySmiles(smiles);
		if (m == null) {
			m = DemoCatalog.MOLECULES.get(0);
		}
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("hydrogen_bonding", Map.of("donors", m.donors(), "acceptors", m.acceptors(), "total", m.donors() + m.acceptors()));
		out.put("logp", m.logp());
		out.put("tpsa", m.tpsa());
		out.put("molecular_properties", Map.of("molecular_weight", m.weight(), "heavy_atom_count", m.heavyAtoms(),
				"ring_count", smiles.chars().anyMatch(Character::isDigit) ? 2 : 0, "rotatable_bond_count", 2));
		out.put("functional_groups", Map.of("hydroxyl", m.donors(), "sulfoxide", smiles.contains("S(=O)") ? 1 : 0));
		out.put("permeability", Map.of("rule_of_5_violations", 0, "veber_violations", 0, "bbb_permeant", m.tpsa() < 90));
		out.put("smiles", smiles);
		out.put("inchi", "InChI=1S/" + m.formula());
		out.put("inchi_key", m.inchiKey());
		return out;
	}

	private static Map<String, Object> mixture(String name, int n) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("id", "a0b1c2d3-0000-4000-8000-00000000000" + n);
		m.put("name", name);
		m.put("description", "Vitrification solution");
		m.put("components", List.of(
				Map.of("molecule_id", DemoCatalog.MOLECULES.get(1).id(), "concentration", 3.1, "concentration_unit", "mM"),
				Map.of("molecule_id", DemoCatalog.MOLECULES.get(3).id(), "concentration", 2.2, "concentration_unit", "mM")));
		return m;
	}

	private static Map<String, Object> healthBody(String colour) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("status", "healthy");
		m.put("version", "2.4.1");
		m.put("deployment", colour);
		m.put("timestamp", Instant.now().toString());
		m.put("services", Map.of("database", "ok", "rdkit", "ok"));
		return m;
	}

	private static Map<String, Object> envelope(int code, String message, Object data, Map<String, Object> pagination) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("status", "success");
		m.put("timestamp", Instant.now().toString());
		m.put("code", code);
		m.put("message", message);
		m.put("data", data);
		if (pagination != null) {
			m.put("pagination", pagination);
		}
		return m;
	}

	private static Map<String, Object> error(int code, String message) {
		return Map.of("status", "error", "timestamp", Instant.now().toString(), "code", code, "message", message);
	}

	private record Answer(int status, Object body) {
	}

	private static BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> withBody(String upstream,
			Function<JsonNode, Answer> handler) {
		return (req, res) -> req.receive().aggregate().asString().defaultIfEmpty("{}").flatMap(text -> {
			JsonNode body;
			try {
				body = JSON.readTree(text);
			}
			catch (RuntimeException ex) {
				return Mono.from(tagged(res, upstream, 400, Map.of("error", "invalid JSON body")));
			}
			Answer answer = handler.apply(body);
			return Mono.from(tagged(res, upstream, answer.status(), answer.body()));
		});
	}

	private static Publisher<Void> tagged(HttpServerResponse res, String upstream, int status, Object body) {
		res.header("X-Upstream", upstream);
		return json(res, status, body);
	}

	private static Publisher<Void> json(HttpServerResponse res, int status, Object body) {
		byte[] bytes = JSON.writeValueAsBytes(body);
		return res.status(status)
			.header("Content-Type", "application/json")
			.header("Content-Length", Integer.toString(bytes.length))
			.sendByteArray(Mono.just(bytes));
	}

	@Override
	public void stop() {
		servers.forEach(DisposableServer::disposeNow);
		servers.clear();
	}

	@Override
	public boolean isRunning() {
		return !servers.isEmpty();
	}

	@Override
	public int getPhase() {
		// Up before the gateway's web server starts, down after it stopped.
		return Integer.MIN_VALUE + 1000;
	}

}
