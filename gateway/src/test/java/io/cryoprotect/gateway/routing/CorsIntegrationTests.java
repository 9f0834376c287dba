package io.cryoprotect.gateway.routing;

import java.util.List;

import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import io.cryoprotect.gateway.support.StubUpstream;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Browser CORS through the gateway, in both modes a route can choose: preflights passed
 * to an upstream that answers CORS itself (the default), or answered from the route's
 * {@code cors:} block. Preflights are never rate-limited, validated or asked for a token.
 */
class CorsIntegrationTests extends GatewayIntegrationTest {

	private static final String APP = "https://app.cryoprotect.example";

	private static final String CONVEX_FILE = "convex.yml";

	/**
	 * The shipped Convex route with the gateway answering CORS for the frontend's origin.
	 */
	private static final String ANSWERED_CORS = """
			    cors:
			      allowedOrigins: [%s]
			      allowedOriginPatterns: ["https://*.netlify.app"]
			      allowedMethods: [POST]
			      allowedHeaders: [Content-Type, Authorization, Convex-Client]
			      exposedHeaders: [X-Request-Id]
			      allowCredentials: true
			      maxAge: 600
			""".formatted(APP);

	@Autowired
	private List<ConfigReloader<?>> reloaders;

	private void answerCorsOnConvex() {
		ROUTES.swap(CONVEX_FILE,
				ROUTES.original(CONVEX_FILE).replaceFirst("    upstreams:\n", ANSWERED_CORS + "    upstreams:\n"));
		reloader.reloadNow();
		assertThat(reloader.live().value().routes()).filteredOn(r -> r.spec().id().equals("convex"))
			.singleElement()
			.satisfies(route -> assertThat(route.cors()).isNotNull());
	}

	private static void answersCorsItself(StubUpstream upstream) {
		upstream.answer(204, "", "Access-Control-Allow-Origin", APP, "Access-Control-Allow-Credentials", "true",
				"Access-Control-Allow-Methods", "GET, POST, PUT, DELETE", "Access-Control-Allow-Headers",
				"Content-Type, Authorization, X-Request-ID, X-CSRF-Token", "Vary", "Origin");
	}

	private WebTestClient.ResponseSpec preflight(String path, String origin, String method, String headers) {
		WebTestClient.RequestHeadersSpec<?> spec = client().options()
			.uri(path)
			.header("Origin", origin)
			.header("Access-Control-Request-Method", method);
		return (headers == null ? spec : spec.header("Access-Control-Request-Headers", headers)).exchange();
	}

	@Test
	void passedThroughPreflightReachesTheUpstreamUntouchedAndItsAnswerComesBack() {
		answersCorsItself(FLASK_BLUE);
		preflight("/api/v1/mixtures", APP, "POST", "content-type,x-csrf-token").expectStatus()
			.isNoContent()
			.expectHeader()
			.valueEquals("Access-Control-Allow-Origin", APP)
			.expectHeader()
			.valueEquals("Access-Control-Allow-Credentials", "true")
			.expectHeader()
			.valueEquals("Access-Control-Allow-Headers", "Content-Type, Authorization, X-Request-ID, X-CSRF-Token")
			.expectBody()
			.isEmpty();
		StubUpstream.Received received = FLASK_BLUE.last();
		assertThat(received.method()).isEqualTo("OPTIONS");
		assertThat(received.uri()).isEqualTo("/api/v1/mixtures");
		assertThat(received.headers().get("Origin")).isEqualTo(APP);
		assertThat(received.headers().get("Access-Control-Request-Method")).isEqualTo("POST");
		assertThat(received.headers().get("Access-Control-Request-Headers")).isEqualTo("content-type,x-csrf-token");
	}

	@Test
	void preflightForAPostOnlyRouteReachesItsUpstreamOnTheRewrittenPath() {
		answersCorsItself(RDKIT);
		preflight("/rdkit/calculate-properties", APP, "POST", "content-type,x-api-key").expectStatus()
			.isNoContent()
			.expectHeader()
			.valueEquals("Access-Control-Allow-Origin", APP)
			.expectBody()
			.isEmpty();
		assertThat(RDKIT.last().method()).isEqualTo("OPTIONS");
		assertThat(RDKIT.last().uri()).isEqualTo("/api/calculate-properties");
		// A preflight for a method the route does not take matches no route, as the real
		// request would not.
		preflight("/rdkit/calculate-properties", APP, "DELETE", null).expectStatus()
			.isNotFound()
			.expectBody()
			.returnResult();
		assertThat(RDKIT.count()).isEqualTo(1);
	}

	/**
	 * An OPTIONS with a body is no browser's preflight: it cannot ride the preflight pass
	 * to a POST-only upstream.
	 */
	@Test
	void anOptionsWithABodyIsNoPreflight() {
		client().method(HttpMethod.OPTIONS)
			.uri("/rdkit/calculate-properties")
			.header("Origin", APP)
			.header("Access-Control-Request-Method", "POST")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"molecule_data\":\"C\"}")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectBody()
			.returnResult();
		assertThat(RDKIT.count()).isZero();
	}

	@Test
	void passedThroughCorsRequestKeepsTheUpstreamsHeaders() {
		FLASK_BLUE.answer(200, "[]", "Content-Type", "application/json", "Access-Control-Allow-Origin", APP,
				"Access-Control-Allow-Credentials", "true", "Access-Control-Expose-Headers", "X-RateLimit-Remaining");
		client().get()
			.uri("/api/v1/molecules")
			.header("Origin", APP)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.values("Access-Control-Allow-Origin", values -> assertThat(values).containsExactly(APP))
			.expectHeader()
			.valueEquals("Access-Control-Allow-Credentials", "true")
			.expectHeader()
			.valueEquals("Access-Control-Expose-Headers", "X-RateLimit-Remaining")
			.expectBody(String.class)
			.isEqualTo("[]");
		assertThat(FLASK_BLUE.last().headers().get("Origin")).isEqualTo(APP);
	}

	@Test
	void preflightsAreNeverRateLimitedNorAskedForATokenNorValidated() {
		ConfigReloader<?> rateLimits = reloaders.stream()
			.filter(r -> r.name().equals("ratelimits"))
			.findFirst()
			.orElseThrow();
		long rejected = rateLimits.rejectedCount();
		FILTERS.swap("ratelimits.yml", """
				mode: enforce
				limits:
				  cors-preflight-probe:
				    key: caller
				    rates: [1/hour]
				    match:
				      routes: [flask-api]
				""");
		rateLimits.reloadNow();
		assertThat(rateLimits.rejectedCount()).as("test limits must load").isEqualTo(rejected);
		answersCorsItself(FLASK_BLUE);
		// The endpoint that needs a token, and one with a request schema: their
		// preflights carry neither.
		String needsToken = AUTHENTICATED.substring(AUTHENTICATED.indexOf(' ') + 1).replace("{id}", "m-1");
		for (String path : List.of(needsToken, "/api/v1/mixtures", needsToken, "/api/v1/mixtures")) {
			preflight(path, APP, "POST", "authorization,content-type").expectStatus()
				.isNoContent()
				.expectHeader()
				.doesNotExist("RateLimit")
				.expectBody()
				.isEmpty();
		}
		assertThat(FLASK_BLUE.count()).isEqualTo(4);
		FLASK_BLUE.reset();
		// The real requests are counted: the first takes the hour's one token, the next
		// is refused.
		client().get().uri("/api/v1/molecules").exchange().expectStatus().isOk().expectBody().returnResult();
		client().get().uri("/api/v1/molecules").exchange().expectStatus().isEqualTo(429).expectBody().returnResult();
		assertThat(FLASK_BLUE.count()).isEqualTo(1);
	}

	@Test
	void answeredPreflightFromAnAllowedOriginNeverReachesTheUpstream() {
		answerCorsOnConvex();
		preflight("/convex/api/query", APP, "POST", "content-type,convex-client").expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("Access-Control-Allow-Origin", APP)
			.expectHeader()
			.valueEquals("Access-Control-Allow-Credentials", "true")
			.expectHeader()
			.valueEquals("Access-Control-Allow-Methods", "POST")
			.expectHeader()
			.valueEquals("Access-Control-Allow-Headers", "content-type, convex-client")
			.expectHeader()
			.valueEquals("Access-Control-Max-Age", "600")
			.expectBody()
			.isEmpty();
		// An origin pattern echoes the caller's origin too, as withCredentials needs.
		preflight("/convex/api/mutation", "https://deploy-preview-7--cryoprotect.netlify.app", "POST", null)
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("Access-Control-Allow-Origin", "https://deploy-preview-7--cryoprotect.netlify.app")
			.expectBody()
			.isEmpty();
		assertThat(CONVEX.count()).isZero();
	}

	@Test
	void answeredPreflightFromAnotherOriginOrForAnotherHeaderIsRefused() {
		answerCorsOnConvex();
		preflight("/convex/api/query", "https://evil.example", "POST", "content-type").expectStatus()
			.isForbidden()
			.expectHeader()
			.doesNotExist("Access-Control-Allow-Origin")
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://cryoprotect.io/problems/forbidden")
			.jsonPath("$.detail")
			.isEqualTo("Cross-origin POST request from origin 'https://evil.example' with headers "
					+ "[content-type] is not allowed by this route's CORS configuration.");
		preflight("/convex/api/query", APP, "POST", "x-secret").expectStatus()
			.isForbidden()
			.expectHeader()
			.doesNotExist("Access-Control-Allow-Origin")
			.expectBody()
			.returnResult();
		assertThat(CONVEX.count()).isZero();
	}

	@Test
	void answeredCorsRequestCarriesTheRoutesHeadersInPlaceOfTheUpstreams() {
		answerCorsOnConvex();
		CONVEX.answer(200, "{\"status\":\"success\",\"value\":[]}", "Content-Type", "application/json",
				"Access-Control-Allow-Origin", "*", "Access-Control-Expose-Headers", "X-Convex-Internal");
		String call = "{\"path\":\"molecules:listMolecules\",\"args\":{},\"format\":\"json\"}";
		client().post()
			.uri("/convex/api/query")
			.header("Origin", APP)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(call)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.values("Access-Control-Allow-Origin", values -> assertThat(values).containsExactly(APP))
			.expectHeader()
			.valueEquals("Access-Control-Allow-Credentials", "true")
			.expectHeader()
			.valueEquals("Access-Control-Expose-Headers", "X-Request-Id")
			.expectHeader()
			.values("Vary", values -> assertThat(String.join(",", values)).contains("Origin"))
			.expectBody(String.class)
			.isEqualTo("{\"status\":\"success\",\"value\":[]}");
		assertThat(CONVEX.count()).isEqualTo(1);
		client().post()
			.uri("/convex/api/query")
			.header("Origin", "https://evil.example")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(call)
			.exchange()
			.expectStatus()
			.isForbidden()
			.expectHeader()
			.doesNotExist("Access-Control-Allow-Origin")
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://cryoprotect.io/problems/forbidden");
		assertThat(CONVEX.count()).isEqualTo(1);
	}

	@Test
	void answeredCorsHeadersAlsoReachTheGatewaysOwnErrors() {
		answerCorsOnConvex();
		client().post()
			.uri("/convex/api/query")
			.header("Origin", APP)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"path\": 7}")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.valueEquals("Access-Control-Allow-Origin", APP)
			.expectHeader()
			.valueEquals("Access-Control-Allow-Credentials", "true")
			.expectBody()
			.returnResult();
		assertThat(CONVEX.count()).isZero();
	}

	@Test
	void corsBlocksSpringWouldRefuseRejectTheFile() {
		String convex = ROUTES.original(CONVEX_FILE);
		long rejected = reloader.rejectedCount();
		ROUTES.swap(CONVEX_FILE, convex.replaceFirst("    upstreams:\n",
				"    cors:\n      allowedOrigins: [\"*\"]\n      allowCredentials: true\n    upstreams:\n"));
		reloader.reloadNow();
		assertThat(reloader.rejectedCount()).isEqualTo(rejected + 1);
		assertThat(reloader.lastRejection().problems()).singleElement()
			.satisfies(
					problem -> assertThat(problem.toString()).contains("routes[0].cors").contains("allowCredentials"));
		ROUTES.swap(CONVEX_FILE, convex.replaceFirst("    upstreams:\n",
				"    cors:\n      allowedOrigins: [https://app.example/path]\n      maxAge: -1\n    upstreams:\n"));
		reloader.reloadNow();
		assertThat(reloader.lastRejection().problems()).extracting(Object::toString)
			.containsExactly(
					ROUTES.path() + "/" + CONVEX_FILE
							+ ": key 'routes[0].cors.allowedOrigins[0]' value 'https://app.example/path': an origin is "
							+ "scheme://host[:port] without a path, or *; use allowedOriginPatterns for wildcards",
					ROUTES.path() + "/" + CONVEX_FILE
							+ ": key 'routes[0].cors.maxAge' value '-1': max age is in seconds, 0 or more");
		ROUTES.swap(CONVEX_FILE,
				convex.replaceFirst("    upstreams:\n", "    cors:\n      maxAge: 60\n    upstreams:\n"));
		reloader.reloadNow();
		assertThat(reloader.lastRejection().problems()).extracting(Object::toString)
			.singleElement()
			.asString()
			.contains("routes[0].cors")
			.contains("needs allowedOrigins or allowedOriginPatterns");
	}

}
