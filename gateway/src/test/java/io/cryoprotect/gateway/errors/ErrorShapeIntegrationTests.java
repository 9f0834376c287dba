package io.cryoprotect.gateway.errors;

import java.util.ArrayList;
import java.util.List;

import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import io.cryoprotect.gateway.support.StubUpstream;
import io.cryoprotect.gateway.support.TestUpstreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every error the gateway answers itself is readable by the clients of the service whose
 * path was called: Flask's error JSON on Flask paths, RDKit's on RDKit paths, RFC 9457 on
 * Convex paths (the shipped route files' {@code errors:} keys), whether the error comes
 * before routing (413), for want of a route (404), from a policy (401, 415, 400, 429) or
 * from the upstream's failure (502, 503, 504).
 */
class ErrorShapeIntegrationTests extends GatewayIntegrationTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/**
	 * A path of each service, the shape its route file ships, a valid body, and a request
	 * no route serves.
	 */
	enum Service {

		FLASK("/api/v1/mixtures", ErrorShape.flask, "{\"name\":\"VS55\",\"components\":[{\"molecule_id\":"
				+ "\"8b2d4e61-1a3c-4f5e-8d7a-2b9c0e1f3a45\",\"concentration\":3.1,\"concentration_unit\":\"mM\"}]}",
				HttpMethod.DELETE),
		RDKIT("/rdkit/similarity", ErrorShape.rdkit, "{\"mol1_data\":\"OCC(O)CO\",\"mol2_data\":\"CS(=O)C\"}",
				HttpMethod.GET),
		CONVEX("/convex/api/query", ErrorShape.problem, "{\"path\":\"molecules:listMolecules\",\"args\":{\"limit\":5}}",
				HttpMethod.GET);

		final String path;

		final ErrorShape shape;

		final String validBody;

		final HttpMethod unrouted;

		Service(String path, ErrorShape shape, String validBody, HttpMethod unrouted) {
			this.path = path;
			this.shape = shape;
			this.validBody = validBody;
			this.unrouted = unrouted;
		}

		StubUpstream stub() {
			return switch (this) {
				case FLASK -> TestUpstreams.FLASK_BLUE;
				case RDKIT -> TestUpstreams.RDKIT;
				case CONVEX -> TestUpstreams.CONVEX;
			};
		}

	}

	private static final String RATE_LIMITS = """
			mode: enforce
			tiers:
			  internal: {roles: [service_role]}
			  basic: {}
			limits:
			  shape-%d:
			    key: caller
			    rates: [1/min]
			""";

	/**
	 * Upstream failures surface at once: no retries, a 300 ms response timeout, a breaker
	 * open after 2 failures.
	 */
	private static final String RESILIENCE = """
			defaultPreset: fast
			presets:
			  fast:
			    connectTimeout: 500ms
			    responseTimeout: 300ms
			    requestTimeout: 3s
			    retry:
			      maxAttempts: 1
			      initialBackoff: 10ms
			      maxBackoff: 50ms
			      multiplier: 2.0
			      jitter: 0.5
			      retryOn: [connect-failure]
			      maxRetryAfter: 1s
			routes:
			  flask-api:
			    preset: fast
			upstreams:
			  defaults:
			    breaker:
			      failureRateThreshold: 50
			      slowCallRateThreshold: 100
			      slowCallDuration: 10s
			      slidingWindowSize: 2
			      minimumNumberOfCalls: 2
			      waitInOpenState: 60s
			      permittedCallsInHalfOpenState: 1
			    retryBudget: {ratio: 0.2, minRetriesPerSecond: 10, window: 10s}
			    pool: {maxConnections: 4, pendingAcquireMaxCount: 100, pendingAcquireTimeout: 2s, maxIdleTime: 200ms, maxLifeTime: 1m, evictionInterval: 100ms}
			    healthCheck: {enabled: false, path: /health, interval: 1s, timeout: 500ms, healthyThreshold: 1, unhealthyThreshold: 1}
			""";

	/**
	 * Each applied rate-limit file names a new limit, so every test gets fresh buckets.
	 */
	private static int generation;

	@Autowired
	private List<ConfigReloader<?>> reloaders;

	@ParameterizedTest
	@EnumSource(Service.class)
	void unauthorized401(Service service) {
		EntityExchangeResult<byte[]> result = post(service, MediaType.APPLICATION_JSON, service.validBody,
				"Authorization", "Bearer not-a-token");
		assertReadable(service, result, 401);
		assertThat(result.getResponseHeaders().getFirst("WWW-Authenticate")).startsWith("Bearer");
		assertThat(service.stub().count()).isZero();
	}

	@ParameterizedTest
	@EnumSource(Service.class)
	void tooLarge413BeforeRouting(Service service) {
		assertReadable(service, post(service, MediaType.APPLICATION_JSON, "{\"name\":\"" + "x".repeat(70_000) + "\"}"),
				413);
		assertThat(service.stub().count()).isZero();
	}

	@ParameterizedTest
	@EnumSource(Service.class)
	void unsupportedMediaType415(Service service) {
		assertReadable(service, post(service, MediaType.TEXT_PLAIN, service.validBody), 415);
		assertThat(service.stub().count()).isZero();
	}

	@ParameterizedTest
	@EnumSource(Service.class)
	void validationFailed400(Service service) {
		EntityExchangeResult<byte[]> result = post(service, MediaType.APPLICATION_JSON, "{}");
		JsonNode body = assertReadable(service, result, 400);
		assertThat(body.path("errors").isArray()).as("the violations, as an extension").isTrue();
		assertThat(service.stub().count()).isZero();
	}

	@ParameterizedTest
	@EnumSource(Service.class)
	void rateLimited429KeepsRetryAfterInSeconds(Service service) {
		apply("ratelimits.yml", RATE_LIMITS.formatted(++generation));
		assertThat(post(service, MediaType.APPLICATION_JSON, service.validBody).getStatus().value()).isEqualTo(200);
		EntityExchangeResult<byte[]> result = post(service, MediaType.APPLICATION_JSON, service.validBody);
		JsonNode body = assertReadable(service, result, 429);
		assertThat(result.getResponseHeaders().getFirst("Retry-After")).matches("[1-9][0-9]*");
		assertThat(body.path("retryAfterSeconds").isIntegralNumber()).isTrue();
	}

	@ParameterizedTest
	@EnumSource(Service.class)
	void noRoute404TakesTheShapeOfTheServiceWhosePathItIs(Service service) {
		if (service == Service.FLASK) {
			// The shipped Flask route takes every method; this one serves only GET and
			// POST.
			ROUTES.swap("flask-api.yml", ROUTES.original("flask-api.yml")
				.replace("        - /auth/**\n", "        - /auth/**\n      methods: [GET, POST]\n"));
			reloader.reloadNow();
		}
		EntityExchangeResult<byte[]> result = client().method(service.unrouted)
			.uri(service.path)
			.exchange()
			.expectBody()
			.returnResult();
		assertReadable(service, result, 404);
		assertThat(service.stub().count()).isZero();
	}

	@ParameterizedTest
	@EnumSource(Service.class)
	void unreachable502ThenBreakerOpen503(Service service) {
		apply("resilience.yml", RESILIENCE);
		service.stub().down();
		assertReadable(service, post(service, MediaType.APPLICATION_JSON, service.validBody), 502);
		List<Integer> statuses = new ArrayList<>();
		EntityExchangeResult<byte[]> result;
		do {
			result = post(service, MediaType.APPLICATION_JSON, service.validBody);
			statuses.add(result.getStatus().value());
		}
		while (result.getStatus().value() == 502 && statuses.size() < 3);
		assertThat(statuses).as("502 until the breaker of 2 calls opens").endsWith(503);
		assertReadable(service, result, 503);
		assertThat(result.getResponseHeaders().getFirst("Retry-After")).matches("[1-9][0-9]*");
	}

	@ParameterizedTest
	@EnumSource(Service.class)
	void upstreamTimeout504(Service service) {
		apply("resilience.yml", RESILIENCE);
		service.stub().hang();
		assertReadable(service, post(service, MediaType.APPLICATION_JSON, service.validBody), 504);
	}

	@Test
	void acceptNamingProblemJsonGetsRfc9457OnAnyRoute() {
		for (Service service : Service.values()) {
			EntityExchangeResult<byte[]> result = client().post()
				.uri(service.path)
				.contentType(MediaType.TEXT_PLAIN)
				.header("Accept", "application/json;q=0.9, application/problem+json")
				.bodyValue(service.validBody)
				.exchange()
				.expectBody()
				.returnResult();
			assertReadable(Service.CONVEX, result, 415);
		}
	}

	@Test
	void acceptWithoutProblemJsonKeepsTheRoutesShape() {
		EntityExchangeResult<byte[]> result = client().post()
			.uri(Service.FLASK.path)
			.contentType(MediaType.TEXT_PLAIN)
			.header("Accept", "application/*, application/problem+json;q=0")
			.bodyValue(Service.FLASK.validBody)
			.exchange()
			.expectBody()
			.returnResult();
		assertReadable(Service.FLASK, result, 415);
	}

	@Test
	void pathOfNoServiceGetsTheDefaultShape() {
		EntityExchangeResult<byte[]> result = client().get().uri("/nowhere").exchange().expectBody().returnResult();
		assertReadable(Service.CONVEX, result, 404);
	}

	/**
	 * What the clients of {@code service} need: a JSON object with a string
	 * {@code message}; on Flask paths {@code application/json} with {@code status}
	 * "error" and {@code meta}; on RDKit paths {@code application/json} with a string
	 * {@code error}; else RFC 9457.
	 */
	private static JsonNode assertReadable(Service service, EntityExchangeResult<byte[]> result, int status) {
		assertThat(result.getStatus().value()).isEqualTo(status);
		MediaType contentType = result.getResponseHeaders().getContentType();
		assertThat(result.getResponseBody()).as("an error body").isNotEmpty();
		JsonNode body = JSON.readTree(result.getResponseBody());
		assertThat(body.isObject()).as("a JSON object: %s", body).isTrue();
		assertThat(body.path("message").isString()).as("message is a string: %s", body).isTrue();
		assertThat(body.path("requestId").isString()).isTrue();
		assertThat(body.path("type").asString()).startsWith("https://cryoprotect.io/problems/");
		switch (service.shape) {
			case flask -> {
				assertThat(contentType).isNotNull();
				assertThat(contentType.toString()).as("the legacy UI parses only application/json")
					.contains("application/json");
				assertThat(body.path("status").isString()).as("status is the string \"error\": %s", body).isTrue();
				assertThat(body.path("status").asString()).isEqualTo("error");
				assertThat(body.path("error").isString()).isTrue();
				assertThat(body.path("error").asString()).isEqualTo(body.path("message").asString());
				assertThat(body.path("code").asInt()).isEqualTo(status);
				assertThat(body.path("meta").path("error_type").asString())
					.isEqualTo(body.path("type").asString().substring("https://cryoprotect.io/problems/".length()));
				assertThat(body.path("meta").path("context").isString()).isTrue();
			}
			case rdkit -> {
				assertThat(contentType).isNotNull();
				assertThat(contentType.toString()).contains("application/json");
				assertThat(body.path("error").isString()).as("error is a string: %s", body).isTrue();
				assertThat(body.path("error").asString()).isEqualTo(body.path("message").asString());
				assertThat(body.path("status").asString()).isEqualTo("error");
			}
			case problem -> {
				assertThat(contentType).isNotNull();
				assertThat(contentType.equalsTypeAndSubtype(MediaType.APPLICATION_PROBLEM_JSON)).as("%s", contentType)
					.isTrue();
				assertThat(body.path("status").isInt()).isTrue();
				assertThat(body.path("status").asInt()).isEqualTo(status);
				assertThat(body.path("detail").asString()).isEqualTo(body.path("message").asString());
				assertThat(body.has("error")).isFalse();
			}
		}
		return body;
	}

	private EntityExchangeResult<byte[]> post(Service service, MediaType contentType, String body, String... header) {
		WebTestClient.RequestBodySpec request = client().post().uri(service.path).contentType(contentType);
		for (int i = 0; i < header.length; i += 2) {
			request = request.header(header[i], header[i + 1]);
		}
		return request.bodyValue(body).exchange().expectBody().returnResult();
	}

	private void apply(String file, String content) {
		String config = file.equals("ratelimits.yml") ? "ratelimits" : "resilience";
		ConfigReloader<?> target = reloaders.stream().filter(r -> r.name().equals(config)).findFirst().orElseThrow();
		long rejected = target.rejectedCount();
		FILTERS.swap(file, content);
		target.reloadNow();
		assertThat(target.rejectedCount()).as("test %s must load", file).isEqualTo(rejected);
	}

}
