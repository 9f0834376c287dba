package io.cryoprotect.gateway.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.cryoprotect.gateway.support.StandaloneGateway;
import io.cryoprotect.gateway.support.TestConfigDir;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's main job: the demo profile starts the stand-in upstreams on :9101–:9104,
 * the shipped route files' placeholder defaults reach them, a demo login sets the token
 * cookie the gateway verifies, and a weight edit moves Flask traffic. The stand-ins
 * answer the real services' shapes: every RDKit answer passes the shipped response
 * schemas (checked on every response here).
 */
class DemoProfileIntegrationTests {

	/**
	 * Given to the gateway, which sends it to RDKit; the stand-in then demands it, as the
	 * real service does.
	 */
	private static final String RDKIT_KEY = "demo-rdkit-key";

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void readmeRequestsSucceedAndAWeightEditMovesFlaskToGreen() throws Exception {
		TestConfigDir routes = new TestConfigDir("routes");
		TestConfigDir filters = new TestConfigDir("filters-conf", Map.of("ratelimits.yml",
				TestConfigDir.SHADOW_RATE_LIMITS, "validation.yml", TestConfigDir.CHECK_EVERY_RESPONSE));
		try (ConfigurableApplicationContext context = StandaloneGateway.start("--spring.profiles.active=demo",
				"--gateway.routing.dir=" + routes.path(), "--gateway.filters-conf.dir=" + filters.path(),
				"--RDKIT_API_KEY=" + RDKIT_KEY)) {
			int port = StandaloneGateway.port(context);

			HttpResponse<String> molecules = send(port, "GET", "/api/v1/molecules", null);
			assertThat(molecules.statusCode()).isEqualTo(200);
			assertThat(molecules.headers().firstValue("X-Upstream")).hasValue("flask-blue");
			assertThat(molecules.body()).contains("\"status\":\"success\"").contains("\"smiles\":\"OCC(O)CO\"");

			HttpResponse<String> properties = send(port, "POST", "/rdkit/calculate-properties",
					"{\"molecule_data\":\"OCC(O)CO\",\"input_format\":\"smiles\"}");
			assertThat(properties.statusCode()).isEqualTo(200);
			assertThat(properties.headers().firstValue("X-Upstream")).hasValue("rdkit");
			assertThat(properties.body()).startsWith("{\"status\":\"success\",\"data\":{")
				.contains("\"hydrogen_bonding\"")
				.contains("\"inchi_key\"");

			HttpResponse<String> query = send(port, "POST", "/convex/api/query",
					"{\"path\":\"molecules:listMolecules\",\"args\":{\"limit\":5},\"format\":\"json\"}");
			assertThat(query.statusCode()).isEqualTo(200);
			assertThat(query.headers().firstValue("X-Upstream")).hasValue("convex");
			assertThat(query.body()).startsWith("{\"status\":\"success\",\"value\":[");

			// A failing Convex function is Convex's 560, passed through.
			HttpResponse<String> failing = send(port, "POST", "/convex/api/query",
					"{\"path\":\"molecules:nope\",\"args\":{}}");
			assertThat(failing.statusCode()).isEqualTo(560);
			assertThat(failing.body()).startsWith("{\"status\":\"error\",\"errorMessage\":\"");

			// Importing a molecule needs a token; the demo's login sets one as an
			// HttpOnly cookie the gateway verifies.
			HttpResponse<String> anonymous = send(port, "POST", "/api/v1/molecules", "{\"cid\":962}");
			assertThat(anonymous.statusCode()).isEqualTo(401);
			assertThat(anonymous.headers().firstValue("Content-Type")).hasValue("application/json");
			assertThat(anonymous.body()).contains("\"status\":\"error\"")
				.contains("\"message\":\"This endpoint needs a valid access token.\"");
			HttpResponse<String> login = send(port, "POST", "/auth/login",
					"{\"email\":\"chemist@cryoprotect.io\",\"password\":\"anything\"}");
			assertThat(login.statusCode()).isEqualTo(200);
			assertThat(login.body()).startsWith("{\"message\":\"Login successful\",\"user\":{")
				.doesNotContain("access_token");
			List<String> cookies = login.headers().allValues("Set-Cookie");
			assertThat(cookies).hasSize(2).allSatisfy(cookie -> assertThat(cookie).contains("; HttpOnly"));
			assertThat(cookies.get(1)).startsWith("refresh_token=");
			String accessToken = cookies.get(0).substring(0, cookies.get(0).indexOf(';'));
			assertThat(accessToken).startsWith("access_token=");
			HttpResponse<String> imported = http
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/molecules"))
					.header("Content-Type", "application/json")
					.header("Cookie", accessToken)
					.POST(HttpRequest.BodyPublishers.ofString("{\"cid\":962}"))
					.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(imported.statusCode()).isEqualTo(201);
			HttpResponse<String> csrf = send(port, "GET", "/api/v1/csrf-token", null);
			assertThat(csrf.headers().allValues("Set-Cookie")).satisfiesExactly(
					cookie -> assertThat(cookie).startsWith("csrf_token=")
						.contains("; Secure")
						.doesNotContain("HttpOnly"),
					cookie -> assertThat(cookie).startsWith("session=").contains("; Secure").contains("; HttpOnly"));

			// A browser on another origin: its preflight passes through to the stand-in,
			// which answers CORS as Flask does.
			HttpResponse<String> preflight = http
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/mixtures"))
					.method("OPTIONS", HttpRequest.BodyPublishers.noBody())
					.header("Origin", "https://cryoprotect.netlify.app")
					.header("Access-Control-Request-Method", "POST")
					.header("Access-Control-Request-Headers", "content-type, x-csrf-token")
					.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(preflight.statusCode()).isEqualTo(200);
			assertThat(preflight.headers().firstValue("X-Upstream")).hasValue("flask-blue");
			assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
				.hasValue("https://cryoprotect.netlify.app");
			assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
			assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers"))
				.hasValue("content-type, x-csrf-token");

			rdkitAnswersItsRealShapes(context, port);

			routes.swap("flask-api.yml",
					routes.original("flask-api.yml")
						.replace("weight: 100", "weight: @blue@")
						.replace("weight: 0", "weight: 100")
						.replace("weight: @blue@", "weight: 0"));
			await().atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> send(port, "GET", "/api/v1/molecules", null).headers()
					.firstValue("X-Upstream")
					.orElse("")
					.equals("flask-green"));
			HttpResponse<String> health = http.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:9102/health")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(health.body()).contains("\"deployment\":\"green\"");
		}
	}

	/**
	 * All four RDKit calculations and both health checks through the gateway, and RDKit's
	 * error shapes.
	 */
	private void rdkitAnswersItsRealShapes(ConfigurableApplicationContext context, int port) throws Exception {
		Map<String, String> calls = Map.of("calculate-properties", "{\"molecule_data\":\"CS(=O)C\"}", "similarity",
				"{\"mol1_data\":\"OCC(O)CO\",\"mol2_data\":\"OCCO\",\"fingerprint_type\":\"maccs\"}",
				"substructure-search",
				"{\"query_mol_data\":\"CO\",\"target_mol_data\":\"OCC(O)CO\",\"query_format\":\"smiles\"}",
				"visualization", "{\"molecule_data\":\"OCC(O)CO\",\"width\":300,\"height\":200}");
		MeterRegistry meters = context.getBean(MeterRegistry.class);
		for (Map.Entry<String, String> call : calls.entrySet()) {
			HttpResponse<String> answer = send(port, "POST", "/rdkit/" + call.getKey(), call.getValue());
			assertThat(answer.statusCode()).as(call.getKey()).isEqualTo(200);
			assertThat(answer.body()).as(call.getKey()).startsWith("{\"status\":\"success\",\"data\":{");
			Counter violations = meters.find("gateway.validation.response.violations")
				.tags("route", "rdkit", "endpoint", "rdkit-" + call.getKey())
				.counter();
			assertThat(violations).as("the endpoint checks responses").isNotNull();
			assertThat(violations.count()).as("response violations of %s", call.getKey()).isZero();
		}
		assertThat(send(port, "POST", "/rdkit/visualization", "{\"molecule_data\":\"OCCO\"}").body())
			.contains("\"width\":400,\"height\":300");
		assertThat(send(port, "GET", "/rdkit/health", null).body()).contains("\"status\":\"ok\"")
			.contains("\"service\":");
		assertThat(send(port, "GET", "/rdkit/rdkit-check", null).body()).contains("\"rdkit_version\"");

		// What the gateway keeps from the stand-in, asked directly: RDKit's error shapes.
		HttpRequest.Builder similarity = HttpRequest.newBuilder(URI.create("http://127.0.0.1:9103/api/similarity"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"mol1_data\":\"CCO\",\"mol2_data\":\"CCO\"}"));
		HttpResponse<String> keyless = http.send(similarity.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(keyless.statusCode()).isEqualTo(401);
		assertThat(keyless.body()).isEqualTo("{\"error\":\"Invalid or missing API key\"}");
		HttpResponse<String> unsupported = http
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9103/api/similarity"))
				.header("Content-Type", "application/json")
				.header("X-API-Key", RDKIT_KEY)
				.POST(HttpRequest.BodyPublishers
					.ofString("{\"mol1_data\":\"CCO\",\"mol2_data\":\"CCO\",\"fingerprint_type\":\"foo\"}"))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(unsupported.statusCode()).isEqualTo(400);
		assertThat(unsupported.body()).isEqualTo("{\"error\":\"Unsupported fingerprint type: foo\"}");
		HttpResponse<String> unparseable = rdkitDirect("/api/calculate-properties",
				"{\"molecule_data\":\"C1CC\",\"input_format\":\"mol\"}");
		assertThat(unparseable.statusCode()).isEqualTo(400);
		assertThat(unparseable.body()).isEqualTo("{\"error\":\"Failed to parse molecule\"}");
		HttpResponse<String> failed = rdkitDirect("/api/calculate-properties", "{\"molecule_data\":{\"atoms\":3}}");
		assertThat(failed.statusCode()).isEqualTo(500);
		assertThat(failed.body()).startsWith("{\"status\":\"error\",\"message\":\"");
		HttpResponse<String> unknown = http.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:9103/api/nowhere")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(unknown.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
	}

	/** A keyed POST straight to the RDKit stand-in, past the gateway's validation. */
	private HttpResponse<String> rdkitDirect(String path, String json) throws IOException, InterruptedException {
		return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9103" + path))
			.header("Content-Type", "application/json")
			.header("X-API-Key", RDKIT_KEY)
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> send(int port, String method, String path, String json)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
		if (json != null) {
			request.header("Content-Type", "application/json")
				.method(method, HttpRequest.BodyPublishers.ofString(json));
		}
		else {
			request.method(method, HttpRequest.BodyPublishers.noBody());
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
