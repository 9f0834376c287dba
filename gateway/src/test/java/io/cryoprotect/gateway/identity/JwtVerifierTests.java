package io.cryoprotect.gateway.identity;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.cryoprotect.gateway.support.Caller;
import io.cryoprotect.gateway.support.MutableClock;
import io.cryoprotect.gateway.support.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Token verification: RS256 against a JWKS served over a real socket, HS256 with a
 * secret, and every forgery refused.
 */
class JwtVerifierTests {

	private static final String ISSUER = "https://project.supabase.co";

	private static final String AUDIENCE = "https://project.supabase.co/auth/v1";

	private final RSAKey key = generate("k1");

	private final RSAKey otherKey = generate("k2");

	private final DisposableServer jwks = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.route(routes -> routes.get("/auth/v1/jwks",
				(req, res) -> res.header("Content-Type", "application/json")
					.sendString(Mono.just(new JWKSet(key.toPublicJWK()).toString()))))
		.bindNow();

	private final JwtVerifier verifier = new JwtVerifier(
			new IdentityProperties.Jwt("http://127.0.0.1:" + jwks.port() + "/auth/v1/jwks", TestTokens.HMAC_SECRET,
					ISSUER, AUDIENCE, Duration.ofSeconds(60)),
			Clock.systemUTC());

	@AfterEach
	void stopJwks() {
		jwks.disposeNow();
	}

	private static RSAKey generate(String id) {
		try {
			return new RSAKeyGenerator(2048).keyID(id).generate();
		}
		catch (com.nimbusds.jose.JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private com.nimbusds.jwt.JWTClaimsSet.Builder supabase(String subject) {
		return TestTokens.claims(subject).issuer(ISSUER).audience(List.of(AUDIENCE, "authenticated"));
	}

	@Test
	void rs256TokenFromTheJwksVerifiesWithRoleAndPlan() {
		StepVerifier.create(verifier.verify(TestTokens.rs256(supabase("user-1").build(), key))).assertNext(caller -> {
			assertThat(caller.subject()).isEqualTo("user-1");
			assertThat(caller.role()).isEqualTo("user");
			assertThat(caller.plan()).isEqualTo("premium");
			assertThat(caller.email()).isEqualTo("user-1@example.org");
		}).verifyComplete();
	}

	@Test
	void hs256TokenWithTheSharedSecretVerifies() {
		StepVerifier.create(verifier.verify(TestTokens.hs256(supabase("user-2").build(), TestTokens.HMAC_SECRET)))
			.assertNext(caller -> assertThat(caller.subject()).isEqualTo("user-2"))
			.verifyComplete();
	}

	@Test
	void tokenSignedWithAnotherKeyIsRefused() {
		StepVerifier.create(verifier.verify(TestTokens.rs256(supabase("user-3").build(), otherKey)))
			.expectError(JwtVerifier.InvalidTokenException.class)
			.verify();
		StepVerifier.create(verifier.verify(TestTokens.hs256(supabase("user-3").build(), TestTokens.HMAC_SECRET + "x")))
			.expectError(JwtVerifier.InvalidTokenException.class)
			.verify();
	}

	@Test
	void unsignedTokenIsRefused() {
		StepVerifier.create(verifier.verify(TestTokens.unsigned(supabase("admin").claim("role", "admin").build())))
			.expectError(JwtVerifier.InvalidTokenException.class)
			.verify();
	}

	@Test
	void expiredTokenIsRefused() {
		String expired = TestTokens
			.rs256(supabase("user-4").expirationTime(Date.from(Instant.now().minusSeconds(120))).build(), key);
		StepVerifier.create(verifier.verify(expired)).expectError(JwtVerifier.InvalidTokenException.class).verify();
	}

	@Test
	void wrongIssuerOrAudienceIsRefused() {
		StepVerifier
			.create(verifier.verify(TestTokens.rs256(supabase("user-5").issuer("https://evil.example").build(), key)))
			.expectError(JwtVerifier.InvalidTokenException.class)
			.verify();
		StepVerifier.create(verifier.verify(TestTokens.rs256(supabase("user-5").audience("other").build(), key)))
			.expectError(JwtVerifier.InvalidTokenException.class)
			.verify();
	}

	@Test
	void verifiedTokenIsCachedForTheTtl() {
		MutableClock clock = new MutableClock(Instant.now());
		JwtVerifier cached = hs256Verifier(clock);
		String token = TestTokens.hs256(supabase("user-6").build(), TestTokens.HMAC_SECRET);
		Caller first = cached.verify(token).block();
		clock.advance(Duration.ofSeconds(59));
		assertThat(cached.verify(token).block()).isSameAs(first);
		clock.advance(Duration.ofSeconds(1));
		assertThat(cached.verify(token).block()).isNotSameAs(first)
			.satisfies(again -> assertThat(again.subject()).isEqualTo("user-6"));
	}

	@Test
	void tokenExpiringBeforeTheTtlLeavesTheCacheAtItsExpiry() {
		MutableClock clock = new MutableClock(Instant.now());
		JwtVerifier cached = hs256Verifier(clock);
		Instant exp = clock.instant().plusSeconds(10);
		String token = TestTokens.hs256(supabase("user-7").expirationTime(Date.from(exp)).build(),
				TestTokens.HMAC_SECRET);
		Caller first = cached.verify(token).block();
		clock.advance(Duration.ofSeconds(9));
		assertThat(cached.verify(token).block()).isSameAs(first);
		clock.advance(Duration.ofSeconds(1));
		// Verified afresh: the decoder's own clock (the system's) still finds the token
		// unexpired.
		assertThat(cached.verify(token).block()).isNotSameAs(first);
	}

	private static JwtVerifier hs256Verifier(Clock clock) {
		return new JwtVerifier(
				new IdentityProperties.Jwt(null, TestTokens.HMAC_SECRET, ISSUER, AUDIENCE, Duration.ofSeconds(60)),
				clock);
	}

	@Test
	void garbageIsRefused() {
		StepVerifier.create(verifier.verify("not.a.jwt")).expectError(JwtVerifier.InvalidTokenException.class).verify();
	}

	@Test
	void headerThatIsNoJoseHeaderIsRefused() {
		String claims = ".e30.";
		for (String header : List.of("{\"alg\":5}", "{\"typ\":\"JWT\"}", "[\"HS256\"]", "{\"alg\":\"HS256\"",
				"[".repeat(5_000), "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}")) {
			String token = Base64.getUrlEncoder()
				.withoutPadding()
				.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + claims;
			StepVerifier.create(verifier.verify(token)).expectError(JwtVerifier.InvalidTokenException.class).verify();
		}
	}

}
