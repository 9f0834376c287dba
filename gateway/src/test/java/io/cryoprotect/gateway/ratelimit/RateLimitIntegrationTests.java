package io.cryoprotect.gateway.ratelimit;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Date;
import java.util.Map;

import com.nimbusds.jwt.JWTClaimsSet;
import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import io.cryoprotect.gateway.support.Scrape;
import io.cryoprotect.gateway.support.TestTokens;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rate limits on the shared test gateway with local buckets: exact headers, tiers,
 * endpoint costs, several limits at once, auth limits by IP and by username, and
 * docs/reliability.md H8/H9. Every test names its limits afresh, so no test inherits
 * another's buckets.
 */
class RateLimitIntegrationTests extends GatewayIntegrationTest {

	private static final String HEAD = """
			mode: enforce
			tiers:
			  internal: {roles: [service_role]}
			  admin: {roles: [admin]}
			  premium: {plans: [premium]}
			  basic: {}
			limits:
			""";

	private static int generation;

	@Autowired
	private ConfigReloader<RateLimitConfig> rateLimits;

	/**
	 * Publishes {@code limits} (YAML of the {@code limits:} map, indented two spaces)
	 * with ids made unique.
	 */
	private String apply(String limits) {
		String suffix = "g" + (++generation);
		long rejected = rateLimits.rejectedCount();
		FILTERS.swap("ratelimits.yml", HEAD + limits.replace("{g}", suffix));
		rateLimits.reloadNow();
		assertThat(rateLimits.rejectedCount()).as("test limits must load").isEqualTo(rejected);
		return suffix;
	}

	private static String token(String subject, String role, String plan) {
		JWTClaimsSet.Builder claims = TestTokens.claims(subject)
			.claim("role", role)
			.claim("app_metadata", plan == null ? Map.of() : Map.of("plan", plan));
		return TestTokens.hs256(claims.build(), TestTokens.HMAC_SECRET);
	}

	private WebTestClient from(String address) {
		HttpClient http = HttpClient.create().bindAddress(() -> new InetSocketAddress(address, 0));
		return WebTestClient.bindToServer(new ReactorClientHttpConnector(http))
			.baseUrl("http://127.0.0.1:" + port)
			.responseTimeout(Duration.ofSeconds(10))
			.build();
	}

	private int get(String path, String bearer) {
		WebTestClient.RequestHeadersSpec<?> spec = client().get().uri(path);
		if (bearer != null) {
			spec = spec.header("Authorization", "Bearer " + bearer);
		}
		return spec.exchange().expectBody().returnResult().getStatus().value();
	}

	@Test
	void the429CarriesRetryAfterAndTheIetfHeadersAndNeverReachesTheUpstream() {
		String g = apply("""
				  caller-{g}:
				    key: caller
				    rates: [3/min, 50/hour]
				""");
		String id = "caller-" + g;
		for (int remaining = 2; remaining >= 0; remaining--) {
			client().get()
				.uri("/api/v1/molecules")
				.exchange()
				.expectStatus()
				.isOk()
				.expectHeader()
				.valueEquals("RateLimit-Policy", "\"" + id + "/1m\";q=3;w=60, \"" + id + "/1h\";q=50;w=3600")
				.expectHeader()
				.valueEquals("RateLimit", "\"" + id + "/1m\";r=" + remaining + ";t=" + (3 - remaining) * 20)
				.expectBody()
				.returnResult();
		}
		int seen = FLASK_BLUE.count();
		client().get()
			.uri("/api/v1/molecules")
			.exchange()
			.expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.contentType(MediaType.APPLICATION_JSON)
			.expectHeader()
			.valueEquals("Retry-After", "20")
			.expectHeader()
			.valueEquals("RateLimit-Policy", "\"" + id + "/1m\";q=3;w=60, \"" + id + "/1h\";q=50;w=3600")
			.expectHeader()
			.valueEquals("RateLimit", "\"" + id + "/1m\";r=0;t=20")
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://cryoprotect.io/problems/rate-limited")
			.jsonPath("$.status")
			.isEqualTo("error")
			.jsonPath("$.code")
			.isEqualTo(429)
			.jsonPath("$.message")
			.isEqualTo("Too many requests: limit '" + id + "' allows 3 per 1m per caller. Retry in 20 s.")
			.jsonPath("$.retryAfterSeconds")
			.isEqualTo(20)
			.jsonPath("$.limit")
			.isEqualTo(id)
			.jsonPath("$.policy")
			.isEqualTo("3 per 1m per caller")
			.jsonPath("$.detail")
			.isEqualTo("Too many requests: limit '" + id + "' allows 3 per 1m per caller. Retry in 20 s.");
		assertThat(FLASK_BLUE.count()).as("a rejected request is never forwarded").isEqualTo(seen);
	}

	@Test
	void tiersGetTheirOwnRatesAndInternalCallersAreUnlimited() {
		String g = apply("""
				  caller-{g}:
				    key: caller
				    rates: [2/min]
				    tiers:
				      premium: [4/min]
				      admin: [6/min]
				      internal: unlimited
				""");
		assertThat(passes(token("basic-" + g, "user", null))).isEqualTo(2);
		assertThat(passes(token("premium-" + g, "user", "premium"))).isEqualTo(4);
		assertThat(passes(token("admin-" + g, "admin", null))).isEqualTo(6);
		assertThat(passes(null)).as("anonymous, by address").isEqualTo(2);
		for (int i = 0; i < 12; i++) {
			client().get()
				.uri("/api/v1/molecules")
				.header("Authorization", "Bearer " + token("svc-" + g, "service_role", null))
				.exchange()
				.expectStatus()
				.isOk()
				.expectHeader()
				.doesNotExist("RateLimit")
				.expectBody()
				.returnResult();
		}
	}

	/** Requests that pass before the first 429, sending at most ten. */
	private int passes(String bearer) {
		for (int i = 0; i < 10; i++) {
			int status = get("/api/v1/molecules", bearer);
			if (status == 429) {
				return i;
			}
			assertThat(status).isEqualTo(200);
		}
		return 10;
	}

	@Test
	void calculationsCostMoreTokensThanReads() {
		String g = apply("""
				  rdkit-{g}:
				    match: {routes: [rdkit]}
				    key: caller
				    rates: [10/min]
				    cost: 1
				    costs:
				      - match: {paths: [/rdkit/calculate-properties]}
				        cost: 4
				""");
		String body = "{\"molecule_data\":\"OCC(O)CO\",\"input_format\":\"smiles\"}";
		for (int i = 0; i < 2; i++) {
			client().post()
				.uri("/rdkit/calculate-properties")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(body)
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.returnResult();
		}
		client().post()
			.uri("/rdkit/similarity")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"mol1_data\":\"OCC(O)CO\",\"mol2_data\":\"CS(=O)C\"}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("RateLimit", "\"rdkit-" + g + "/1m\";r=1;t=54")
			.expectBody()
			.returnResult();
		client().post()
			.uri("/rdkit/calculate-properties")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.valueEquals("Retry-After", "18")
			.expectBody()
			.returnResult();
	}

	@Test
	void everyMatchingLimitMustPassAndDefaultsGiveWayToEndpointLimits() {
		String g = apply("""
				  default-{g}:
				    default: true
				    rates: [1/min]
				  wide-{g}:
				    match: {paths: [/api/v1/mixtures/**]}
				    rates: [5/min]
				  narrow-{g}:
				    match: {paths: ["/api/v1/mixtures/{id}/experiments"]}
				    rates: [2/min]
				""");
		client().get()
			.uri("/api/v1/mixtures/m1/experiments")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("RateLimit-Policy", "\"wide-" + g + "/1m\";q=5;w=60, \"narrow-" + g + "/1m\";q=2;w=60")
			.expectHeader()
			.valueEquals("RateLimit", "\"narrow-" + g + "/1m\";r=1;t=30")
			.expectBody()
			.returnResult();
		assertThat(get("/api/v1/mixtures/m1/experiments", null)).isEqualTo(200);
		client().get()
			.uri("/api/v1/mixtures/m1/experiments")
			.exchange()
			.expectStatus()
			.isEqualTo(429)
			.expectBody()
			.jsonPath("$.limit")
			.isEqualTo("narrow-" + g);
		// The narrow limit is spent; the wide one still has 5 - 3 = 2 for other mixture
		// paths.
		assertThat(get("/api/v1/mixtures/m1", null)).isEqualTo(200);
		assertThat(get("/api/v1/mixtures/m2", null)).isEqualTo(200);
		assertThat(get("/api/v1/mixtures/m3", null)).isEqualTo(429);
		// Paths with no limit of their own take the default one.
		assertThat(get("/api/v1/molecules", null)).isEqualTo(200);
		assertThat(get("/api/v1/molecules", null)).isEqualTo(429);
	}

	@Test
	void shadowLimitsCountWouldBeRejectionsAndForward() {
		String g = apply("""
				  shadow-{g}:
				    mode: shadow
				    rates: [2/min]
				""");
		Scrape before = scrape();
		for (int i = 0; i < 5; i++) {
			client().get()
				.uri("/api/v1/molecules")
				.exchange()
				.expectStatus()
				.isOk()
				.expectHeader()
				.doesNotExist("RateLimit")
				.expectBody()
				.returnResult();
		}
		Scrape after = scrape();
		String series = "gateway_ratelimit_requests_total{limit=\"shadow-" + g + "\",result=\"%s\",route=\"flask-api\","
				+ "tier=\"anonymous\"}";
		assertThat(after.value(series.formatted("allowed"))).isEqualTo(2);
		assertThat(after.value(series.formatted("shadow_rejected")) - before.value(series.formatted("shadow_rejected")))
			.isEqualTo(3);
	}

	@Test
	void rejectionsAreCountedPerRouteTierAndLimit() {
		String g = apply("""
				  counted-{g}:
				    rates: [1/min]
				""");
		Scrape before = scrape();
		assertThat(get("/api/v1/molecules", null)).isEqualTo(200);
		assertThat(get("/api/v1/molecules", null)).isEqualTo(429);
		Scrape after = scrape();
		assertThat(after.value("gateway_ratelimit_requests_total{limit=\"counted-" + g
				+ "\",result=\"rejected\",route=\"flask-api\",tier=\"anonymous\"}"))
			.isEqualTo(1);
		String cause = "gateway_rejections_total{cause=\"rate_limit\",route=\"flask-api\"}";
		assertThat(after.value(cause)).isEqualTo(before.value(cause) + 1);
	}

	@Test
	void authLimitsHoldPerAddressAndPerSubmittedUsername() {
		String g = apply("""
				  auth-ip-{g}:
				    match: {paths: [/auth/**], methods: [POST]}
				    key: ip
				    rates: [3/min]
				  auth-name-{g}:
				    match: {paths: [/auth/login], methods: [POST]}
				    key: body:email
				    rates: [2/min]
				""");
		String alice = "{\"email\":\"alice-" + g + "@example.org\",\"password\":\"pw-0123456789\"}";
		String aliceShouting = "{\"email\":\"ALICE-" + g + "@Example.ORG\",\"password\":\"pw-0123456789\"}";
		assertThat(login(from("127.0.0.2"), alice)).isEqualTo(200);
		assertThat(login(from("127.0.0.3"), aliceShouting)).as("same username, another address").isEqualTo(200);
		client().post()
			.uri("/auth/login")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(alice)
			.exchange()
			.expectStatus()
			.isEqualTo(429)
			.expectBody()
			.jsonPath("$.limit")
			.isEqualTo("auth-name-" + g)
			.jsonPath("$.policy")
			.isEqualTo("2 per 1m per body:email");
		// Address 127.0.0.4 tries many usernames: its own limit stops it at three.
		WebTestClient stuffer = from("127.0.0.4");
		for (int i = 0; i < 3; i++) {
			assertThat(
					login(stuffer, "{\"email\":\"u" + i + "-" + g + "@example.org\",\"password\":\"pw-0123456789\"}"))
				.isEqualTo(200);
		}
		stuffer.post()
			.uri("/auth/login")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"email\":\"u9-" + g + "@example.org\",\"password\":\"pw-0123456789\"}")
			.exchange()
			.expectStatus()
			.isEqualTo(429)
			.expectBody()
			.jsonPath("$.limit")
			.isEqualTo("auth-ip-" + g);
	}

	@Test
	void aBodyKeyedLimitReadsTheBodyItselfWhereNothingValidatesItAndForwardsItUnchanged() {
		String g = apply("""
				  experimenter-{g}:
				    match: {paths: ["/api/v1/mixtures/{id}/experiments"], methods: [POST]}
				    key: body:operator.email
				    rates: [1/min]
				""");
		String body = "{\"operator\":{\"email\":\"eve-" + g + "@example.org\"},\"temperature\":-80}";
		client().post()
			.uri("/api/v1/mixtures/m1/experiments")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		assertThat(FLASK_BLUE.last().bodyText()).isEqualTo(body);
		client().post()
			.uri("/api/v1/mixtures/m2/experiments")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isEqualTo(429)
			.expectBody()
			.jsonPath("$.limit")
			.isEqualTo("experimenter-" + g);
		// Without the field there is nothing to key on: the limit does not apply.
		assertThat(client().post()
			.uri("/api/v1/mixtures/m3/experiments")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"temperature\":-80}")
			.exchange()
			.expectBody()
			.returnResult()
			.getStatus()
			.value()).isEqualTo(200);
		// The body is read for the key with a cap of its own.
		client().post()
			.uri("/api/v1/mixtures/m4/experiments")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"notes\":\"" + "x".repeat(RateLimitFilter.MAX_KEY_BODY_BYTES) + "\"}")
			.exchange()
			.expectStatus()
			.isEqualTo(413)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://cryoprotect.io/problems/payload-too-large");
	}

	private static int login(WebTestClient client, String body) {
		return client.post()
			.uri("/auth/login")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectBody()
			.returnResult()
			.getStatus()
			.value();
	}

	@Test
	void spoofedForwardingHeadersDoNotDodgeTheAddressLimit() {
		apply("""
				  ip-{g}:
				    key: ip
				    rates: [2/min]
				""");
		WebTestClient spoofer = from("127.0.0.5");
		for (int i = 0; i < 6; i++) {
			int status = spoofer.get()
				.uri("/api/v1/molecules")
				.header("X-Forwarded-For", "203.0.113." + i)
				.header("Forwarded", "for=198.51.100." + i)
				.header("X-Real-IP", "192.0.2." + i)
				.exchange()
				.expectBody()
				.returnResult()
				.getStatus()
				.value();
			assertThat(status).as("request " + (i + 1)).isEqualTo(i < 2 ? 200 : 429);
		}
	}

	@Test
	void forgedOrUnsignedTokensDoNotDodgeTheCallerLimit() {
		String g = apply("""
				  caller-{g}:
				    key: caller
				    rates: [1/min]
				""");
		assertThat(get("/api/v1/molecules", null)).isEqualTo(200);
		assertThat(get("/api/v1/molecules", null)).isEqualTo(429);
		JWTClaimsSet claims = TestTokens.claims("forged-" + g).build();
		JWTClaimsSet expired = TestTokens.claims("expired-" + g)
			.expirationTime(Date.from(java.time.Instant.now().minusSeconds(600)))
			.build();
		for (String forged : new String[] { TestTokens.unsigned(claims),
				TestTokens.hs256(claims, "another-secret-0123456789abcdef-0123456789"),
				TestTokens.hs256(expired, TestTokens.HMAC_SECRET) }) {
			assertThat(get("/api/v1/molecules", forged)).isEqualTo(401);
		}
		assertThat(get("/api/v1/molecules", token("real-" + g, "user", null)))
			.as("a verified caller has a bucket of its own")
			.isEqualTo(200);
	}

	@Test
	void anInvalidEditIsRejectedAndTheLastGoodLimitsStayLive() {
		String g = apply("""
				  kept-{g}:
				    rates: [1/min]
				""");
		assertThat(get("/api/v1/molecules", null)).isEqualTo(200);
		long rejected = rateLimits.rejectedCount();
		FILTERS.swap("ratelimits.yml", HEAD + "  kept-" + g + ":\n    rates: [1/fortnight]\n");
		rateLimits.reloadNow();
		assertThat(rateLimits.rejectedCount()).isEqualTo(rejected + 1);
		management().get()
			.uri("/actuator/gatewayconfig")
			.exchange()
			.expectBody()
			.jsonPath("$.ratelimits.lastRejection.problems[0].key")
			.isEqualTo("limits.kept-" + g + ".rates")
			.jsonPath("$.ratelimits.lastRejection.problems[0].value")
			.isEqualTo("1/fortnight");
		assertThat(get("/api/v1/molecules", null)).isEqualTo(429);
	}

	private Scrape scrape() {
		return new Scrape(management().get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody());
	}

}
