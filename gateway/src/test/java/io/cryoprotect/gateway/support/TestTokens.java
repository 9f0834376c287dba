package io.cryoprotect.gateway.support;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Mints JWTs for tests, signed like Supabase's (HS256 secret or RS256 key), and forged
 * ones.
 */
public final class TestTokens {

	/** The HS256 secret the shared test gateway verifies with. */
	public static final String HMAC_SECRET = "test-hs256-secret-0123456789abcdef-0123456789";

	private TestTokens() {
	}

	public static JWTClaimsSet.Builder claims(String subject) {
		return new JWTClaimsSet.Builder().subject(subject)
			.claim("role", "user")
			.claim("email", subject + "@example.org")
			.claim("app_metadata", Map.of("plan", "premium"))
			.expirationTime(Date.from(Instant.now().plusSeconds(600)));
	}

	public static String hs256(JWTClaimsSet claims, String secret) {
		try {
			SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
			jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
			return jwt.serialize();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public static String hs256(String subject) {
		return hs256(claims(subject).build(), HMAC_SECRET);
	}

	public static String rs256(JWTClaimsSet claims, RSAKey key) {
		try {
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
					claims);
			jwt.sign(new RSASSASigner(key));
			return jwt.serialize();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** An unsigned token ({@code alg: none}) carrying the given claims. */
	public static String unsigned(JWTClaimsSet claims) {
		Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
		return b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
				+ b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8)) + ".";
	}

}
