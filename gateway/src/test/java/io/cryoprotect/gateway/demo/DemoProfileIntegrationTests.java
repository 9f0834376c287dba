package io.cryoprotect.gateway.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.cryoprotect.gateway.support.StandaloneGateway;
import io.cryoprotect.gateway.support.TestConfigDir;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's main job: the demo profile starts the stand-in upstreams on :9101–:9104, the
 * shipped route files' placeholder defaults reach them, a demo login yields a token the gateway
 * verifies, and a weight edit moves Flask traffic.
 */
class DemoProfileIntegrationTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void readmeRequestsSucceedAndAWeightEditMovesFlaskToGreen() throws Exception {
		TestConfigDir routes = new TestConfigDir("routes");
		try (ConfigurableApplicationContext context = StandaloneGateway.start("--spring.profiles.active=demo",
				"--gateway.routing.dir=" + routes.path())) {
			int port = StandaloneGateway.port(context);

			HttpResponse<String> molecules = send(port, "GET", "/api/v1/molecules", null);
			assertThat(molecules.statusCode()).isEqualTo(200);
			assertThat(molecules.headers().firstValue("X-Upstream")).hasValue("flask-blue");
			assertThat(molecules.body()).contains("\"status\":\"success\"").contains("\"smiles\":\"OCC(O)CO\"");

			HttpResponse<String> properties = send(port, "POST", "/rdkit/calculate-properties",
					"{\"molecule_data\":\"OCC(O)CO\",\"input_format\":\"smiles\"}");
			assertThat(properties.statusCode()).isEqualTo(200);
			assertThat(properties.headers().firstValue("X-Upstream")).hasValue("rdkit");
			assertThat(properties.body()).contains("\"hydrogen_bonding\"").contains("\"inchi_key\"");

			HttpResponse<String> query = send(port, "POST", "/convex/api/query",
					"{\"path\":\"molecules:listMolecules\",\"args\":{\"limit\":5},\"format\":\"json\"}");
			assertThat(query.statusCode()).isEqualTo(200);
			assertThat(query.headers().firstValue("X-Upstream")).hasValue("convex");
			assertThat(query.body()).startsWith("{\"status\":\"success\",\"value\":[");

			// Importing a molecule needs a token; the demo's login hands out one the gateway verifies.
			assertThat(send(port, "POST", "/api/v1/molecules", "{\"cid\":962}").statusCode()).isEqualTo(401);
			HttpResponse<String> login = send(port, "POST", "/auth/login",
					"{\"email\":\"chemist@cryoprotect.io\",\"password\":\"anything\"}");
			assertThat(login.statusCode()).isEqualTo(200);
			String token = login.body().replaceAll(".*\"access_token\":\"([^\"]+)\".*", "$1");
			HttpResponse<String> imported = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
					+ "/api/v1/molecules"))
				.header("Content-Type", "application/json")
				.header("Authorization", "Bearer " + token)
				.POST(HttpRequest.BodyPublishers.ofString("{\"cid\":962}"))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(imported.statusCode()).isEqualTo(201);

			routes.swap("flask-api.yml", routes.original("flask-api.yml")
				.replace("weight: 100", "weight: @blue@")
				.replace("weight: 0", "weight: 100")
				.replace("weight: @blue@", "weight: 0"));
			await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).until(() ->
				send(port, "GET", "/api/v1/molecules", null).headers().firstValue("X-Upstream").orElse("").equals("flask-green"));
			HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9102/health")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(health.body()).contains("\"deployment\":\"green\"");
		}
	}

	private HttpResponse<String> send(int port, String method, String path, String json)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
		if (json != null) {
			request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
