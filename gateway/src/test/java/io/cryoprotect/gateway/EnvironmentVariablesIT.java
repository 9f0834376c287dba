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
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.cryoprotect.gateway.support.RedisServer;
import io.cryoprotect.gateway.support.StubUpstream;
import io.cryoprotect.gateway.support.TestConfigDir;
import io.cryoprotect.gateway.support.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every environment variable that README.md, {@code docs/}, {@code filters-conf/} and
 * {@code k8s/} name, set in the environment of the packaged jar started as its own
 * process, as an operator starts it; each must show its effect through the management
 * endpoints or a request. A variable that binds to nothing (as
 * {@code GATEWAY_RATELIMIT_MODE} once did: Spring maps it to
 * {@code gateway.ratelimit.mode}, which nothing reads) fails here, and so does a
 * documented variable this test does not set. Secrets may be files in
 * {@code GATEWAY_SECRETS_DIR} instead, named as the variable: {@code RDKIT_API_KEY} is
 * one here. The gateway runs with the {@code prod} profile, as Kubernetes' production
 * overlay starts it. One JVM start for all of them.
 */
class EnvironmentVariablesIT {

	private static final Path JAR = Path.of("target", "cryoprotect-gateway.jar");

	/** Where the operator-facing variables are documented, relative to this module. */
	private static final Path[] DOCUMENTED_IN = { Path.of("..", "README.md"), Path.of("..", "docs"),
			Path.of("..", "filters-conf"), Path.of("..", "k8s") };

	private static final Pattern VARIABLE = Pattern.compile(
			"\\b(?:(?:GATEWAY|FLASK|RDKIT|CONVEX|SUPABASE|SERVER|MANAGEMENT)_[A-Z0-9_]*[A-Z0-9]|SPRING_PROFILES_ACTIVE)\\b");

	private static final String ISSUER = "https://project.supabase.test";

	private static final String AUDIENCE = ISSUER + "/auth/v1";

	private static final String HMAC_SECRET = "env-test-hs256-secret-0123456789abcdef-0123";

	private static final String RDKIT_KEY = "env-test-rdkit-key";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	private static final StubUpstream FLASK_BLUE = new StubUpstream("env-flask-blue");

	private static final StubUpstream FLASK_GREEN = new StubUpstream("env-flask-green");

	private static final StubUpstream RDKIT = new StubUpstream("env-rdkit");

	private static final StubUpstream CONVEX = new StubUpstream("env-convex");

	private static final StubUpstream JWKS = new StubUpstream("env-jwks");

	private static RedisServer redis;

	private static RSAKey signingKey;

	private static TestConfigDir routes;

	private static TestConfigDir filtersConf;

	private static Map<String, String> environment;

	/** The config tree of secret files: GATEWAY_SECRETS_DIR. */
	private static Path secrets;

	private static Process gateway;

	private static Path log;

	private static int port;

	private static int managementPort;

	@BeforeAll
	static void startThePackagedJar() throws Exception {
		assertThat(JAR).as("the packaged jar; `mvn package` builds it (`mvn verify` runs this test after it)").exists();
		redis = new RedisServer();
		signingKey = new RSAKeyGenerator(2048).keyID("env-key").generate();
		JWKS.answer(200, new JWKSet(signingKey.toPublicJWK()).toString(), "Content-Type", "application/json");
		// The repository's own files, unedited: ratelimits.yml enforces, validation.yml
		// enforces.
		routes = new TestConfigDir("routes");
		filtersConf = new TestConfigDir("filters-conf");
		port = freePort();
		managementPort = freePort();
		environment = new TreeMap<>();
		environment.put("SERVER_PORT", Integer.toString(port));
		environment.put("MANAGEMENT_SERVER_PORT", Integer.toString(managementPort));
		environment.put("GATEWAY_ROUTES_DIR", routes.path());
		environment.put("GATEWAY_FILTERS_CONF_DIR", filtersConf.path());
		environment.put("FLASK_BLUE_URL", FLASK_BLUE.url());
		environment.put("FLASK_GREEN_URL", FLASK_GREEN.url());
		environment.put("RDKIT_URL", RDKIT.url());
		environment.put("CONVEX_URL", CONVEX.url());
		environment.put("GATEWAY_RATELIMIT_MODE", "shadow");
		environment.put("GATEWAY_RATELIMIT_REDIS_URL", redis.url());
		environment.put("GATEWAY_VALIDATION_MODE", "shadow");
		environment.put("GATEWAY_ERRORS_DEFAULT_SHAPE", "flask");
		environment.put("GATEWAY_TRUSTED_PROXIES", "127.0.0.0/8");
		secrets = Files.createTempDirectory("env-variables-secrets");
		// As Kubernetes writes a Secret created from a file: with its trailing newline.
		Files.writeString(secrets.resolve("RDKIT_API_KEY"), RDKIT_KEY + "\n");
		// The environment wins over a file of the same name.
		Files.writeString(secrets.resolve("SUPABASE_JWT_SECRET"), "not-the-key-the-environment-gives");
		environment.put("GATEWAY_SECRETS_DIR", secrets.toString());
		environment.put("SPRING_PROFILES_ACTIVE", "prod");
		environment.put("SUPABASE_JWKS_URL", JWKS.url() + "/auth/v1/jwks");
		environment.put("SUPABASE_JWT_SECRET", HMAC_SECRET);
		environment.put("SUPABASE_JWT_ISSUER", ISSUER);
		environment.put("SUPABASE_JWT_AUDIENCE", AUDIENCE);

		log = Files.createTempFile("env-variables-gateway", ".log");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		// Nothing but the environment configures it; the drain delay only shortens the
		// test's shutdown.
		ProcessBuilder builder = new ProcessBuilder(java, "-jar", JAR.toString(), "--gateway.drain.delay=0s")
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		builder.environment().putAll(environment);
		gateway = builder.start();
		await().atMost(Duration.ofSeconds(120))
			.pollInterval(Duration.ofMillis(200))
			.ignoreException(UncheckedIOException.class)
			.failFast(
					() -> assertThat(gateway.isAlive()).as("gateway process alive; its output:%n%s", output()).isTrue())
			.untilAsserted(() -> assertThat(status(get(managementPort, "/actuator/health/readiness"))).isEqualTo(200));
	}

	@AfterAll
	static void stop() throws Exception {
		if (gateway != null) {
			gateway.destroy();
			if (!gateway.waitFor(30, TimeUnit.SECONDS)) {
				gateway.destroyForcibly();
			}
		}
		Stream.of(FLASK_BLUE, FLASK_GREEN, RDKIT, CONVEX, JWKS).forEach(StubUpstream::close);
		if (redis != null) {
			redis.close();
		}
		if (log != null) {
			Files.deleteIfExists(log);
		}
		if (secrets != null) {
			try (Stream<Path> files = Files.list(secrets)) {
				for (Path file : files.toList()) {
					Files.delete(file);
				}
			}
			Files.delete(secrets);
		}
	}

	@Test
	void everyDocumentedVariableIsSetHere() throws IOException {
		Set<String> documented = new TreeSet<>();
		for (Path place : DOCUMENTED_IN) {
			try (Stream<Path> files = Files.walk(place)) {
				for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
					Matcher matcher = VARIABLE.matcher(Files.readString(file));
					while (matcher.find()) {
						documented.add(matcher.group());
					}
				}
			}
		}
		Set<String> set = new TreeSet<>(environment.keySet());
		try (Stream<Path> files = Files.list(secrets)) {
			files.forEach(file -> set.add(file.getFileName().toString()));
		}
		assertThat(set).as("variables the docs name; each needs a check here").containsAll(documented);
	}

	/**
	 * The prod profile's quieter logs: of the INFO lines, only the gateway's own remain.
	 */
	@Test
	void productionProfile() {
		String output = output();
		assertThat(output).contains("The following 1 profile is active: \"prod\"");
		assertThat(output.lines().filter(line -> line.contains(" INFO ")).toList()).isNotEmpty()
			.allSatisfy(line -> assertThat(line).containsPattern(" i(o)?\\.c[a-z]*\\.g[a-z]*\\.[\\w.]+\\s+:"));
	}

	@Test
	void portsAndConfigDirectories() {
		JsonNode config = json(get(managementPort, "/actuator/gatewayconfig"));
		assertThat(config.path("routes").path("dir").asString()).isEqualTo(routes.path());
		for (String policy : new String[] { "resilience", "ratelimits", "validation" }) {
			assertThat(config.path(policy).path("dir").asString()).as(policy).isEqualTo(filtersConf.path());
			assertThat(config.path(policy).path("lastRejection").isNull()).as(policy).isTrue();
		}
		assertThat(status(get(port, "/api/v1/molecules"))).isEqualTo(200);
	}

	@Test
	void upstreamUrls() {
		Map<String, String> uris = new TreeMap<>();
		for (JsonNode route : json(get(managementPort, "/actuator/gatewayroutes")).path("routes")) {
			for (JsonNode colour : route.path("upstreams")) {
				uris.put(route.path("id").asString() + "/" + colour.path("colour").asString(),
						colour.path("uri").asString());
			}
		}
		assertThat(uris).containsEntry("flask-api/blue", FLASK_BLUE.url())
			.containsEntry("flask-api/green", FLASK_GREEN.url())
			.containsEntry("rdkit/blue", RDKIT.url())
			.containsEntry("convex/blue", CONVEX.url());
	}

	@Test
	void rateLimitModeAndRedis() {
		JsonNode limits = json(get(managementPort, "/actuator/gatewayratelimits"));
		assertThat(limits.path("limits").size()).isPositive();
		for (JsonNode limit : limits.path("limits")) {
			assertThat(limit.path("mode").asString()).as(limit.path("id").asString()).isEqualTo("shadow");
		}
		assertThat(limits.path("storage").path("backend").asString()).isEqualTo("redis");
		assertThat(limits.path("storage").path("redis").asString()).isEqualTo(redis.url());
		assertThat(limits.path("storage").path("delayedSync").path("strategy").asString()).as("as shipped")
			.isEqualTo("delaying");
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(json(get(managementPort, "/actuator/gatewayratelimits")).path("storage")
				.path("degraded")
				.asBoolean()).isFalse());
	}

	@Test
	void validationMode() {
		int before = FLASK_BLUE.count();
		HttpResponse<String> response = send(port,
				HttpRequest.newBuilder(uri(port, "/api/v1/mixtures"))
					.header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"\", \"components\": []}")));
		assertThat(response.statusCode()).as("shadow mode forwards an invalid body").isEqualTo(200);
		assertThat(FLASK_BLUE.count()).isEqualTo(before + 1);
		assertThat(get(managementPort, "/actuator/prometheus").body()).containsPattern(
				"gateway_validation_requests_total\\{endpoint=\"mixture-create\",outcome=\"shadow_rejected\"[^}]*\\} 1\\.0");
	}

	/**
	 * Paths no route serves answer in the default shape: Flask's here, where it would be
	 * RFC 9457.
	 */
	@Test
	void errorsDefaultShape() {
		HttpResponse<String> response = send(port, HttpRequest.newBuilder(uri(port, "/no/such/route")));
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
		JsonNode body = JSON.readTree(response.body());
		assertThat(body.path("status").asString()).isEqualTo("error");
		assertThat(body.path("code").asInt()).isEqualTo(404);
	}

	@Test
	void trustedProxies() {
		send(port, HttpRequest.newBuilder(uri(port, "/api/v1/molecules?proxied"))
			.header("X-Forwarded-For", "203.0.113.9"));
		assertThat(FLASK_BLUE.last().headers().get("X-Real-IP")).isEqualTo("203.0.113.9");
	}

	@Test
	void rdkitApiKey() {
		HttpResponse<String> response = send(port, HttpRequest.newBuilder(uri(port, "/rdkit/calculate-properties"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"molecule_data\":\"OCC(O)CO\",\"input_format\":\"smiles\"}")));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(RDKIT.last().headers().get("X-API-Key")).isEqualTo(RDKIT_KEY);
	}

	@Test
	void jwtSecretIssuerAudienceAndJwks() throws JOSEException {
		String hs256 = TestTokens.hs256(TestTokens.claims("env-hs").issuer(ISSUER).audience(AUDIENCE).build(),
				HMAC_SECRET);
		String rs256 = TestTokens.rs256(TestTokens.claims("env-rs").issuer(ISSUER).audience(AUDIENCE).build(),
				signingKey);
		assertThat(importMolecule(hs256)).isEqualTo(200);
		assertThat(FLASK_BLUE.last().headers().get("X-User-Id")).isEqualTo("env-hs");
		assertThat(importMolecule(rs256)).isEqualTo(200);
		assertThat(FLASK_BLUE.last().headers().get("X-User-Id")).isEqualTo("env-rs");
		String otherAudience = TestTokens
			.hs256(TestTokens.claims("env-aud").issuer(ISSUER).audience("elsewhere").build(), HMAC_SECRET);
		String otherIssuer = TestTokens
			.hs256(TestTokens.claims("env-iss").issuer("https://other.test").audience(AUDIENCE).build(), HMAC_SECRET);
		assertThat(importMolecule(otherAudience)).isEqualTo(401);
		assertThat(importMolecule(otherIssuer)).isEqualTo(401);
		// The one endpoint that needs a token (gateway.identity.authenticated-endpoints)
		// refuses none.
		assertThat(importMolecule(null)).isEqualTo(401);
	}

	private static int importMolecule(String token) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(port, "/api/v1/molecules"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"cid\": 962}"));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return send(port, request).statusCode();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private static URI uri(int port, String path) {
		return URI.create("http://127.0.0.1:" + port + path);
	}

	private static HttpResponse<String> get(int port, String path) {
		return send(port, HttpRequest.newBuilder(uri(port, path)));
	}

	private static HttpResponse<String> send(int port, HttpRequest.Builder request) {
		try {
			return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static int status(HttpResponse<String> response) {
		return response.statusCode();
	}

	private static JsonNode json(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return JSON.readTree(response.body());
	}

	private static String output() {
		try {
			return Files.readString(log);
		}
		catch (IOException ex) {
			return "(no output: " + ex.getMessage() + ")";
		}
	}

}
