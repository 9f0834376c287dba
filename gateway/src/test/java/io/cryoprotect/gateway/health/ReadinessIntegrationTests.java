package io.cryoprotect.gateway.health;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.cryoprotect.gateway.support.StandaloneGateway;
import io.cryoprotect.gateway.support.TestUpstreams;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Readiness is DOWN until a valid route config has loaded: a gateway started on invalid
 * route files serves nothing (503 not-ready on the public port) and says why, and becomes
 * ready as soon as the files are fixed.
 */
class ReadinessIntegrationTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void readinessStaysDownUntilTheFirstValidConfigLoads() throws Exception {
		Path dir = Files.createTempDirectory("routes-invalid-");
		String valid = Files.readString(Path.of("..", "routes", "rdkit.yml"));
		// The other route files too: the shipped policies name their routes, and a policy
		// naming no route is rejected.
		for (String other : new String[] { "flask-api.yml", "convex.yml" }) {
			Files.copy(Path.of("..", "routes", other), dir.resolve(other));
		}
		Files.writeString(dir.resolve("rdkit.yml"), valid.replace("weight: 100", "weight: 99"));
		try (ConfigurableApplicationContext context = StandaloneGateway.start("--gateway.routing.poll-interval=100ms",
				"--gateway.routing.dir=" + dir, "--RDKIT_URL=" + TestUpstreams.RDKIT.url())) {
			int port = StandaloneGateway.port(context);
			int managementPort = StandaloneGateway.managementPort(context);

			HttpResponse<String> readiness = get(managementPort, "/actuator/health/readiness");
			assertThat(readiness.statusCode()).isEqualTo(503);
			assertThat(readiness.body()).contains("OUT_OF_SERVICE").contains("weights must sum to 100 but sum to 99");
			assertThat(get(managementPort, "/actuator/health/liveness").statusCode()).isEqualTo(200);
			// Not a 404: without a loaded route set the gateway cannot tell whether the
			// route exists.
			for (String path : new String[] { "/rdkit/similarity", "/no/such/path" }) {
				HttpResponse<String> notReady = get(port, path);
				assertThat(notReady.statusCode()).isEqualTo(503);
				assertThat(notReady.headers().firstValue("Retry-After")).hasValue("1");
				assertThat(notReady.headers().firstValue("Content-Type")).hasValue("application/problem+json");
				assertThat(notReady.body()).contains("\"type\":\"https://cryoprotect.io/problems/not-ready\"");
			}

			Files.writeString(dir.resolve("rdkit.yml"), valid);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> get(managementPort, "/actuator/health/readiness").statusCode() == 200);
			assertThat(get(port, "/no/such/path").statusCode()).isEqualTo(404);
		}
	}

	private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
		return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
