package io.cryoprotect.gateway.demo;

import java.nio.charset.StandardCharsets;
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
import org.springframework.web.util.HtmlUtils;

/**
 * In-process stand-ins for flask-blue (:9101), flask-green (:9102), rdkit (:9103) and
 * convex (:9104), started only by the {@code demo} profile. They answer the real paths
 * and shapes of the CryoProtect services and tag every response with {@code X-Upstream}:
 * Flask's envelope and its login cookies, RDKit's {@code {"status":"success","data":...}}
 * envelope and error shapes (400/401 {@code {"error":...}}, 500
 * {@code {"status":"error","message":...}}, Flask's HTML 404 for unknown paths), and
 * Convex's 560 for a failing function. Like the real RDKit service, the stand-in demands
 * {@code X-API-Key} only when a key is configured (the gateway's {@code RDKIT_API_KEY},
 * which the gateway then sends); convex also serves its sync WebSocket
 * ({@link ConvexSyncStandIn}).
 */
@Component
@Profile("demo")
class DemoUpstreams implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(DemoUpstreams.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final List<DisposableServer> servers = new ArrayList<>();

	private final DemoTokens tokens;

	private final String rdkitApiKey;

	DemoUpstreams(@Value("${gateway.identity.jwt.hmac-secret}") String signingKey,
			@Value("${gateway.identity.upstream-api-keys.rdkit.value:}") String rdkitApiKey) {
		this.tokens = new DemoTokens(signingKey);
		this.rdkitApiKey = rdkitApiKey;
	}

	@Override
	public void start() {
		servers.add(start("flask-blue", 9101, routes -> flask(routes, "blue", tokens)));
		servers.add(start("flask-green", 9102, routes -> flask(routes, "green", tokens)));
		servers.add(start("rdkit", 9103, routes -> rdkit(routes, rdkitApiKey)));
		servers.add(start("convex", 9104, DemoUpstreams::convex));
	}

	private static DisposableServer start(String name, int port, Consumer<HttpServerRoutes> routes) {
		DisposableServer server = HttpServer.create().host("127.0.0.1").port(port).route(r -> {
			// The real services answer CORS themselves (Flask-CORS with credentials); the
			// gateway passes preflights on.
			r.route(DemoUpstreams::isPreflight, (req, res) -> preflight(req, res, name));
			routes.accept(r);
			r.route(req -> true, (req, res) -> name.equals("rdkit") ? notFoundPage(res, name)
					: json(res, 404, Map.of("error", "not found: " + req.uri())));
		}).bindNow();
		logger.info("Demo upstream " + name + " listening on 127.0.0.1:" + port);
		return server;
	}

	private static boolean isPreflight(HttpServerRequest req) {
		return req.method().name().equals("OPTIONS") && req.requestHeaders().contains("Origin")
				&& req.requestHeaders().contains("Access-Control-Request-Method");
	}

	/**
	 * A preflight answered as Flask-CORS with {@code supports_credentials} does: any
	 * origin, echoed.
	 */
	private static Publisher<Void> preflight(HttpServerRequest req, HttpServerResponse res, String upstream) {
		String headers = req.requestHeaders().get("Access-Control-Request-Headers");
		res.header("X-Upstream", upstream)
			.header("Access-Control-Allow-Origin", req.requestHeaders().get("Origin"))
			.header("Access-Control-Allow-Credentials", "true")
			.header("Access-Control-Allow-Methods", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT")
			.header("Vary", "Origin");
		if (headers != null) {
			res.header("Access-Control-Allow-Headers", headers);
		}
		return res.status(200).header("Content-Length", "0").send();
	}

	private static void flask(HttpServerRoutes r, String colour, DemoTokens tokens) {
		String upstream = "flask-" + colour;
		r.get("/health", (req, res) -> tagged(res, upstream, 200, healthBody(colour)))
			.get("/api/v1/molecules",
					(req, res) -> tagged(res, upstream, 200,
							envelope(200, "Molecules retrieved",
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
			.get("/api/v1/mixtures",
					(req, res) -> tagged(res, upstream, 200,
							envelope(200, "Mixtures retrieved", List.of(mixture("VS55", 1)), null)))
			.post("/api/v1/mixtures", withBody(upstream, body -> {
				Map<String, Object> created = JSON.convertValue(body, Map.class);
				created.put("id", UUID.randomUUID().toString());
				created.put("created_at", Instant.now().toString());
				return new Answer(201, envelope(201, "Mixture created", created, null));
			}))
			.get("/api/v1/csrf-token", (req, res) -> {
				// Flask-WTF's flow: the token in a cookie scripts can read, checked
				// against the session cookie.
				String csrf = UUID.randomUUID().toString();
				res.addHeader("Set-Cookie", "csrf_token=" + csrf + "; Path=/; Secure; SameSite=Lax");
				res.addHeader("Set-Cookie",
						"session=" + UUID.randomUUID() + "; Path=/; Secure; HttpOnly; SameSite=Lax");
				return tagged(res, upstream, 200, Map.of("csrf_token", csrf));
			})
			.post("/auth/login", withBody(upstream, body -> {
				// Any password works in the demo; an email starting with "admin" logs in
				// as an admin.
				String email = body.path("email").asString("demo@cryoprotect.io");
				String role = email.startsWith("admin") ? "admin" : "user";
				Map<String, Object> user = new LinkedHashMap<>();
				user.put("id", DemoTokens.subject(email));
				user.put("email", email);
				user.put("role", role);
				Map<String, Object> answer = new LinkedHashMap<>();
				answer.put("message", "Login successful");
				answer.put("user", user);
				// The tokens travel as HttpOnly cookies only, as Flask sets them (not
				// Secure: the demo is plain HTTP).
				return new Answer(200, answer, List.of(
						"access_token=" + tokens.mint(email, role, "basic")
								+ "; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax",
						"refresh_token=" + UUID.randomUUID() + "; Path=/auth; Max-Age=604800; HttpOnly; SameSite=Lax"));
			}));
	}

	private static void rdkit(HttpServerRoutes r, String apiKey) {
		String upstream = "rdkit";
		r.get("/health",
				(req, res) -> tagged(res, upstream, 200,
						Map.of("status", "ok", "service", "rdkit-service", "timestamp", Instant.now().toString())))
			.get("/rdkit-check",
					(req, res) -> tagged(res, upstream, 200,
							Map.of("status", "ok", "rdkit_version", "2024.09.4", "timestamp",
									Instant.now().toString())))
			.post("/api/calculate-properties", rdkitCall(apiKey, body -> {
				String molecule = molecule(body, "molecule_data");
				if (molecule.isEmpty()) {
					return rdkitError("No molecule_data provided");
				}
				if (!parses(molecule, body.path("input_format").asString("smiles"))) {
					return rdkitError("Failed to parse molecule");
				}
				return rdkitSuccess(properties(molecule));
			}))
			.post("/api/similarity", rdkitCall(apiKey, body -> {
				String first = molecule(body, "mol1_data");
				String second = molecule(body, "mol2_data");
				String fingerprint = body.path("fingerprint_type").asString("morgan");
				if (first.isEmpty() || second.isEmpty()) {
					return rdkitError("Missing molecule data");
				}
				if (!List.of("morgan", "maccs", "topological").contains(fingerprint)) {
					return rdkitError("Unsupported fingerprint type: " + fingerprint);
				}
				boolean same = first.equals(second);
				return rdkitSuccess(Map.of("tanimoto", same ? 1.0 : 0.4211, "dice", same ? 1.0 : 0.5926,
						"fingerprint_type", fingerprint));
			}))
			.post("/api/substructure-search", rdkitCall(apiKey, body -> {
				String query = molecule(body, "query_mol_data");
				String target = molecule(body, "target_mol_data");
				if (query.isEmpty() || target.isEmpty()) {
					return rdkitError("Missing molecule data");
				}
				boolean match = target.contains(query);
				Map<String, Object> data = new LinkedHashMap<>();
				data.put("match", match);
				data.put("match_count", match ? 1 : 0);
				data.put("matches", match ? List.of(List.of(0, 1)) : List.of());
				data.put("visualization", match ? svg(target, 400, 300) : null);
				return rdkitSuccess(data);
			}))
			.post("/api/visualization", rdkitCall(apiKey, body -> {
				String molecule = molecule(body, "molecule_data");
				if (molecule.isEmpty()) {
					return rdkitError("No molecule_data provided");
				}
				int width = body.path("width").asInt(400);
				int height = body.path("height").asInt(300);
				Map<String, Object> data = new LinkedHashMap<>();
				data.put("svg", svg(molecule, width, height));
				data.put("width", width);
				data.put("height", height);
				return rdkitSuccess(data);
			}));
	}

	/**
	 * An RDKit endpoint: the key check when a key is configured (401), then the handler;
	 * a handler failure is RDKit's 500 {@code {"status":"error","message":...}}.
	 */
	private static BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> rdkitCall(String apiKey,
			Function<JsonNode, Answer> handler) {
		BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> call = withBody("rdkit", body -> {
			try {
				return handler.apply(body);
			}
			catch (RuntimeException ex) {
				Map<String, Object> error = new LinkedHashMap<>();
				error.put("status", "error");
				error.put("message", "Internal server error: " + ex.getMessage());
				return new Answer(500, error);
			}
		});
		return (req, res) -> apiKey.isEmpty() || apiKey.equals(req.requestHeaders().get("X-API-Key"))
				? call.apply(req, res) : tagged(res, "rdkit", 401, Map.of("error", "Invalid or missing API key"));
	}

	/**
	 * A molecule field: empty when absent; like RDKit, a value that is no text fails the
	 * call (500).
	 */
	private static String molecule(JsonNode body, String field) {
		JsonNode value = body.path(field);
		if (value.isMissingNode() || value.isNull()) {
			return "";
		}
		if (!value.isString()) {
			throw new IllegalArgumentException(field + " must be a string, not " + value.getNodeType());
		}
		return value.asString();
	}

	private static Answer rdkitSuccess(Object data) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("status", "success");
		body.put("data", data);
		return new Answer(200, body);
	}

	private static Answer rdkitError(String message) {
		return new Answer(400, Map.of("error", message));
	}

	/**
	 * SMILES without letters, or a MOL/SDF block without its end line, is what RDKit
	 * fails to parse.
	 */
	private static boolean parses(String molecule, String format) {
		return format.equals("smiles") ? molecule.chars().anyMatch(Character::isLetter) : molecule.contains("M  END");
	}

	/**
	 * A placeholder drawing of the molecule, sized as asked (RDKit's default 400x300).
	 */
	private static String svg(String molecule, int width, int height) {
		return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height
				+ "\" viewBox=\"0 0 " + width + " " + height
				+ "\"><rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/><text x=\"10\" y=\"" + height / 2
				+ "\" font-family=\"sans-serif\" font-size=\"14\">" + HtmlUtils.htmlEscape(molecule) + "</text></svg>";
	}

	/** What Flask (and so RDKit) answers for an unknown path: Werkzeug's HTML page. */
	private static Publisher<Void> notFoundPage(HttpServerResponse res, String upstream) {
		byte[] bytes = ("<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
				+ "<p>The requested URL was not found on the server. If you entered the URL manually please check your "
				+ "spelling and try again.</p>\n")
			.getBytes(StandardCharsets.UTF_8);
		return res.status(404)
			.header("X-Upstream", upstream)
			.header("Content-Type", "text/html; charset=utf-8")
			.header("Content-Length", Integer.toString(bytes.length))
			.sendByteArray(Mono.just(bytes));
	}

	private static void convex(HttpServerRoutes r) {
		String upstream = "convex";
		BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> call = withBody(upstream, body -> {
			String path = body.path("path").asString("");
			JsonNode args = body.path("args");
			return switch (path) {
				case "molecules:listMolecules" -> convex("success", "value",
						DemoCatalog.MOLECULES.stream()
							.limit(args.path("limit").asInt(100))
							.map(DemoCatalog.Molecule::convexRecord)
							.toList());
				case "molecules:getMolecule", "molecules:getMoleculeWithProperties" ->
					convex("success", "value", DemoCatalog.MOLECULES.get(0).convexRecord());
				case "molecules:createMolecule" ->
					convex("success", "value", "k17" + UUID.randomUUID().toString().substring(0, 12));
				default -> convex("error", "errorMessage", "Could not find public function for '" + path + "'");
			};
		});
		r.post("/api/query", call).post("/api/mutation", call).post("/api/action", call);
		ConvexSyncStandIn.route(r);
	}

	/**
	 * Convex's answer shape, {@code {"status": ..., "value"|"errorMessage": ...}}, in
	 * that order; a failing function is HTTP 560, as Convex's HTTP API answers it.
	 */
	private static Answer convex(String status, String key, Object value) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("status", status);
		body.put(key, value);
		return new Answer(status.equals("success") ? 200 : 560, body);
	}

	private static Map<String, Object> properties(String smiles) {
		DemoCatalog.Molecule m = DemoCatalog.bySmiles(smiles);
		if (m == null) {
			m = DemoCatalog.MOLECULES.get(0);
		}
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("hydrogen_bonding",
				Map.of("donors", m.donors(), "acceptors", m.acceptors(), "total", m.donors() + m.acceptors()));
		out.put("logp", m.logp());
		out.put("tpsa", m.tpsa());
		out.put("molecular_properties", Map.of("molecular_weight", m.weight(), "heavy_atom_count", m.heavyAtoms(),
				"ring_count", smiles.chars().anyMatch(Character::isDigit) ? 2 : 0, "rotatable_bond_count", 2));
		out.put("functional_groups", Map.of("hydroxyl", m.donors(), "sulfoxide", smiles.contains("S(=O)") ? 1 : 0));
		out.put("permeability",
				Map.of("rule_of_5_violations", 0, "veber_violations", 0, "bbb_permeant", m.tpsa() < 90));
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
		m.put("components",
				List.of(Map.of("molecule_id", DemoCatalog.MOLECULES.get(1).id(), "concentration", 3.1,
						"concentration_unit", "mM"),
						Map.of("molecule_id", DemoCatalog.MOLECULES.get(3).id(), "concentration", 2.2,
								"concentration_unit", "mM")));
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

	/**
	 * A stand-in's answer: status, JSON body and {@code Set-Cookie} values, each sent as
	 * its own header.
	 */
	private record Answer(int status, Object body, List<String> cookies) {

		Answer(int status, Object body) {
			this(status, body, List.of());
		}

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
			answer.cookies().forEach(cookie -> res.addHeader("Set-Cookie", cookie));
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
