package io.cryoprotect.gateway.identity;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.crypto.spec.SecretKeySpec;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jose.Algorithm;
import com.nimbusds.jose.Header;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.util.Base64URL;
import io.cryoprotect.gateway.support.Caller;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/**
 * Verifies bearer tokens with Spring Security's reactive Nimbus decoder: RS256 against
 * the Supabase JWKS (fetched without blocking and cached by the decoder), and/or HS256
 * with a shared secret for older projects; issuer and audience are checked when
 * configured, expiry always. {@code alg: none} never verifies. Verified tokens are cached
 * until {@code cacheTtl} or their own {@code exp}, whichever comes first, so a busy
 * caller costs one signature check per {@code cacheTtl}, not one per request. The cache
 * is bounded; beyond the bound Caffeine drops the tokens it judges least useful.
 */
final class JwtVerifier {

	private static final int MAX_CACHED = 10_000;

	private final ReactiveJwtDecoder rs256;

	private final ReactiveJwtDecoder hs256;

	private final Duration cacheTtl;

	private final Clock clock;

	private final Cache<String, Caller> cache;

	JwtVerifier(IdentityProperties.Jwt settings, Clock clock) {
		OAuth2TokenValidator<Jwt> validator = validator(settings);
		this.rs256 = settings.jwksUri() == null || settings.jwksUri().isBlank() ? null
				: withValidator(NimbusReactiveJwtDecoder.withJwkSetUri(settings.jwksUri())
					.jwsAlgorithm(SignatureAlgorithm.RS256)
					.build(), validator);
		this.hs256 = settings.hmacSecret() == null || settings.hmacSecret().isBlank() ? null
				: withValidator(NimbusReactiveJwtDecoder
					.withSecretKey(
							new SecretKeySpec(settings.hmacSecret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"))
					.macAlgorithm(MacAlgorithm.HS256)
					.build(), validator);
		this.cacheTtl = settings.cacheTtl();
		this.clock = clock;
		this.cache = Caffeine.newBuilder()
			.maximumSize(MAX_CACHED)
			.expireAfter(Expiry
				.creating((String token, Caller caller) -> Duration.between(clock.instant(), caller.expiresAt())))
			.ticker(() -> Duration.between(Instant.EPOCH, clock.instant()).toNanos())
			// Eviction work runs on the calling thread, in small amortised steps, not on
			// the common pool.
			.executor(Runnable::run)
			.build();
	}

	boolean enabled() {
		return rs256 != null || hs256 != null;
	}

	/**
	 * The verified caller, or an error when the token is malformed, unsigned, expired or
	 * signed by another key.
	 */
	Mono<Caller> verify(String token) {
		Caller cached = cache.getIfPresent(token);
		if (cached != null) {
			return Mono.just(cached);
		}
		Instant now = clock.instant();
		ReactiveJwtDecoder decoder = JWSAlgorithm.HS256.equals(algorithm(token)) ? hs256 : rs256;
		if (decoder == null) {
			return Mono.error(new InvalidTokenException("token algorithm is not accepted"));
		}
		return decoder.decode(token).map(jwt -> {
			Caller caller = caller(jwt, now);
			cache.put(token, caller);
			return caller;
		}).onErrorMap(ex -> !(ex instanceof InvalidTokenException), ex -> new InvalidTokenException(ex.getMessage()));
	}

	private Caller caller(Jwt jwt, Instant now) {
		Instant expiresAt = jwt.getExpiresAt();
		Instant expires = expiresAt == null ? now.plus(cacheTtl) : expiresAt;
		Instant cachedUntil = expires.isBefore(now.plus(cacheTtl)) ? expires : now.plus(cacheTtl);
		String role = jwt.getClaimAsString("role");
		Object metadata = jwt.getClaims().get("app_metadata");
		String plan = null;
		if (metadata instanceof Map<?, ?> map) {
			Object value = map.get("plan") != null ? map.get("plan") : map.get("tier");
			plan = value == null ? null : value.toString();
		}
		return new Caller(jwt.getSubject(), jwt.getClaimAsString("email"), role == null ? "user" : role, plan,
				cachedUntil);
	}

	/**
	 * The {@code alg} of the token header, read without trusting it: it only picks the
	 * decoder.
	 */
	private static Algorithm algorithm(String token) {
		int dot = token.indexOf('.');
		if (dot <= 0) {
			return null;
		}
		try {
			return Header.parse(new Base64URL(token.substring(0, dot))).getAlgorithm();
		}
		catch (ParseException ex) {
			return null;
		}
	}

	private static OAuth2TokenValidator<Jwt> validator(IdentityProperties.Jwt settings) {
		List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
		validators.add(new JwtTimestampValidator(Duration.ofSeconds(30)));
		if (settings.issuer() != null && !settings.issuer().isBlank()) {
			validators.add(new JwtIssuerValidator(settings.issuer()));
		}
		if (settings.audience() != null && !settings.audience().isBlank()) {
			validators.add(new JwtClaimValidator<List<String>>(JwtClaimNames.AUD,
					aud -> aud != null && aud.contains(settings.audience())));
		}
		return new DelegatingOAuth2TokenValidator<>(validators);
	}

	private static ReactiveJwtDecoder withValidator(NimbusReactiveJwtDecoder decoder,
			OAuth2TokenValidator<Jwt> validator) {
		decoder.setJwtValidator(validator);
		return decoder;
	}

	/** A token that did not verify; the message says why, for logs only. */
	static final class InvalidTokenException extends RuntimeException {

		InvalidTokenException(String message) {
			super(message, null, false, false);
		}

	}

}
