package io.cryoprotect.gateway.demo;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Signs the demo's access tokens with the demo profile's HS256 key, shaped like
 * Supabase's (sub, email, role, app_metadata.plan), so the demo exercises real token
 * verification.
 */
final class DemoTokens {

	private final byte[] key;

	DemoTokens(String secret) {
		this.key = secret.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * The user id of an email: derived from it, so the same user always gets the same id.
	 */
	static String subject(String email) {
		return UUID.nameUUIDFromBytes(email.getBytes(StandardCharsets.UTF_8)).toString();
	}

	/** A one-hour token for the user of {@code email} (see {@link #subject}). */
	String mint(String email, String role, String plan) {
		JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(subject(email))
			.claim("email", email)
			.claim("role", role)
			.claim("app_metadata", Map.of("plan", plan))
			.issueTime(Date.from(Instant.now()))
			.expirationTime(Date.from(Instant.now().plusSeconds(3600)))
			.build();
		try {
			SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
			jwt.sign(new MACSigner(key));
			return jwt.serialize();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("Cannot sign a demo token", ex);
		}
	}

}
