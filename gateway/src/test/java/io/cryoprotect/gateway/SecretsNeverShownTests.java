package io.cryoprotect.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.cryoprotect.gateway.support.RedisServer;
import io.cryoprotect.gateway.support.StubUpstream;
import io.cryoprotect.gateway.support.TestConfigDir;
import io.cryoprotect.gateway.support.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A full run of a gateway JVM of its own, its secrets given only as files in a config
 * tree (as Kubernetes mounts them, each with a trailing newline): the HS256 key, the
 * RDKit API key and a password-protected Redis's URL. Each secret is used (a token
 * verified with the key, the key sent to RDKit, rate limits counted in Redis), then every
 * actuator endpoint, every answer to the client and the whole output of the run, shutdown
 * included, are searched for each secret's value. The staging profile logs the gateway's
 * per-request decisions, so the log holds every line an operator could switch on for the
 * gateway.
 */
@Tag("slow")
class SecretsNeverShownTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final String jwtSecret = "jwt-" + UUID.randomUUID() + UUID.randomUUID();

	private final String rdkitKey = "rdkit-" + UUID.randomUUID();

	private final String redisPassword = "redis-" + UUID.randomUUID();

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	private final StubUpstream flask = new StubUpstream("secrets-flask");

	private final StubUpstream rdkit = new StubUpstream("secrets-rdkit");

	private final RedisServer redis = new RedisServer(redisPassword);

	/** Every answer the client side saw: status line, headers and body. */
	private final List<String> answers = new ArrayList<>();

	private Process gateway;

	@AfterEach
	void stop() {
		if (gateway != null) {
			gateway.destroyForcibly();
		}
		Stream.of(flask, rdkit).forEach(StubUpstream::close);
		redis.close();
	}

	@Test
	void noSecretInTheLogsTheActuatorOrAnAnswer(@TempDir Path secrets) throws Exception {
		Files.writeString(secrets.resolve("SUPABASE_JWT_SECRET"), jwtSecret + "\n");
		Files.writeString(secrets.resolve("RDKIT_API_KEY"), rdkitKey + "\n");
		Files.writeString(secrets.resolve("GATEWAY_RATELIMIT_REDIS_URL"), redis.url() + "\n");
		int port = freePort();
		int managementPort = freePort();
		Path log = Files.createTempFile("secrets-never-shown", ".log");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
				GatewayApplication.class.getName(), "--server.port=" + port,
				"--management.server.port=" + managementPort, "--gateway.drain.delay=0s",
				"--gateway.routing.dir=" + Path.of("..", "routes"),
				"--gateway.filters-conf.dir=" + new TestConfigDir("filters-conf").path())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		Map<String, String> environment = builder.environment();
		Stream.of("SUPABASE_JWT_SECRET", "RDKIT_API_KEY", "GATEWAY_RATELIMIT_REDIS_URL").forEach(environment::remove);
		environment.put("SPRING_PROFILES_ACTIVE", "staging");
		environment.put("GATEWAY_SECRETS_DIR", secrets.toString());
		environment.put("FLASK_BLUE_URL", flask.url());
		environment.put("FLASK_GREEN_URL", flask.url());
		environment.put("RDKIT_URL", rdkit.url());
		gateway = builder.start();
		await().atMost(Duration.ofSeconds(120))
			.pollInterval(Duration.ofMillis(200))
			.ignoreException(UncheckedIOException.class)
			.failFast(() -> assertThat(gateway.isAlive()).as("gateway alive; output:%n%s", Files.readString(log))
				.isTrue())
			.until(() -> get(managementPort, "/actuator/health/readiness").statusCode() == 200);

		// The HS256 key, read from its file (trailing newline trimmed), verifies a token;
		// another key's does not.
		String token = TestTokens.hs256(TestTokens.claims("secrets-user").build(), jwtSecret);
		assertThat(send(importMolecule(port, token)).statusCode()).isEqualTo(200);
		assertThat(flask.last().headers().get("X-User-Id")).isEqualTo("secrets-user");
		String forged = TestTokens.hs256(TestTokens.claims("forged").build(), jwtSecret + "-other");
		assertThat(send(importMolecule(port, forged)).statusCode()).isEqualTo(401);
		assertThat(send(importMolecule(port, null)).statusCode()).isEqualTo(401);

		// The RDKit key goes to RDKit, and only there.
		assertThat(send(HttpRequest.newBuilder(uri(port, "/rdkit/calculate-properties"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"molecule_data\":\"OCC(O)CO\",\"input_format\":\"smiles\"}")))
			.statusCode()).isEqualTo(200);
		assertThat(rdkit.last().headers().get("X-API-Key")).isEqualTo(rdkitKey);

		// Errors the gateway answers itself: an invalid body, a path no route serves, an
		// upstream that fails.
		assertThat(send(HttpRequest.newBuilder(uri(port, "/api/v1/mixtures"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"\", \"components\": []}"))).statusCode())
			.isEqualTo(400);
		assertThat(send(HttpRequest.newBuilder(uri(port, "/no/such/route"))).statusCode()).isEqualTo(404);
		rdkit.down();
		assertThat(send(HttpRequest.newBuilder(uri(port, "/rdkit/calculate-properties"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"molecule_data\":\"CCO\",\"input_format\":\"smiles\"}")))
			.statusCode()).isGreaterThanOrEqualTo(500);

		// The rate limits are counted in the password-protected Redis.
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			JsonNode storage = json(get(managementPort, "/actuator/gatewayratelimits")).path("storage");
			assertThat(storage.path("backend").asString()).isEqualTo("redis");
			assertThat(storage.path("degraded").asBoolean()).isFalse();
		});
		assertThat(Integer.parseInt(redis.command("DBSIZE").substring(1))).isPositive();

		// Every endpoint the management port exposes, and the two that must stay off.
		JsonNode links = json(get(managementPort, "/actuator")).path("_links");
		assertThat(links.size()).isGreaterThan(5);
		for (JsonNode link : links) {
			if (!link.path("templated").asBoolean()) {
				HttpResponse<String> response = get(managementPort, URI.create(link.path("href").asString()).getPath());
				assertThat(response.statusCode()).as(link.path("href").asString()).isEqualTo(200);
			}
		}
		assertThat(get(managementPort, "/actuator/env").statusCode()).isEqualTo(404);
		assertThat(get(managementPort, "/actuator/configprops").statusCode()).isEqualTo(404);

		gateway.destroy();
		assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).isTrue();
		String output = Files.readString(log);
		// The staging profile's DEBUG lines are in the output, so the search below covers
		// them.
		assertThat(output).contains("The following 1 profile is active: \"staging\"", "Route matched: rdkit",
				"Token refused: ");
		for (String secret : List.of(jwtSecret, rdkitKey, redisPassword)) {
			assertThat(output).as("the gateway's output").doesNotContain(secret);
			assertThat(answers).as("the answers of the gateway and its management port")
				.noneSatisfy(answer -> assertThat(answer).contains(secret));
		}
		Files.delete(log);
	}

	private static HttpRequest.Builder importMolecule(int port, String token) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(port, "/api/v1/molecules"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"cid\": 962}"));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return request;
	}

	private HttpResponse<String> get(int port, String path) {
		return send(HttpRequest.newBuilder(uri(port, path)));
	}

	private HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(10)).build(),
					HttpResponse.BodyHandlers.ofString());
			answers.add(response.statusCode() + " " + response.headers().map() + "\n" + response.body());
			return response;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static URI uri(int port, String path) {
		return URI.create("http://127.0.0.1:" + port + path);
	}

	private static JsonNode json(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return JSON.readTree(response.body());
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
