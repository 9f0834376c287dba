package io.cryoprotect.gateway.identity;

import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Who the caller is and what the upstreams may believe about it
 * ({@code gateway.identity.*}).
 *
 * @param trustedProxies CIDR blocks whose {@code X-Forwarded-For}/{@code Forwarded} are
 * believed; default none, so the client address is always the socket peer
 * @param strippedHeaders identity headers removed from every client request, since only
 * the gateway may assert them; default {@code X-User-Id}, {@code X-User-Email},
 * {@code X-User-Role}, {@code X-User-Plan}, {@code X-Authenticated-User},
 * {@code X-Real-IP}, {@code X-API-Key}
 * @param upstreamApiKeys per route-file service, a header the gateway adds from its own
 * secret, e.g. RDKit's {@code X-API-Key} from {@code RDKIT_API_KEY}; an empty value adds
 * nothing and lets the client's own header of that name through to that service
 * @param jwt how bearer tokens are verified
 * @param authenticatedEndpoints {@code METHOD /path-pattern} entries that need a valid
 * token (401 without); everything else accepts anonymous callers; default
 * {@code POST /api/v1/molecules}
 */
@ConfigurationProperties("gateway.identity")
public record IdentityProperties(List<String> trustedProxies, List<String> strippedHeaders,
		Map<String, ApiKey> upstreamApiKeys, Jwt jwt, List<String> authenticatedEndpoints) {

	/**
	 * What only the gateway asserts upstream: an API key in one of these would let a
	 * client's value through.
	 */
	private static final List<String> ASSERTED = List.of("X-User-Id", "X-User-Email", "X-User-Role", "X-User-Plan",
			"X-Authenticated-User", "X-Real-IP", "X-Forwarded-For");

	public IdentityProperties {
		jwt = jwt == null ? new Jwt(null, null, null, null, null) : jwt;
		authenticatedEndpoints = authenticatedEndpoints == null ? List.of("POST /api/v1/molecules")
				: authenticatedEndpoints;
		trustedProxies = trustedProxies == null ? List.of() : trustedProxies;
		strippedHeaders = strippedHeaders == null ? List.of("X-User-Id", "X-User-Email", "X-User-Role", "X-User-Plan",
				"X-Authenticated-User", "X-Real-IP", "X-API-Key") : strippedHeaders;
		upstreamApiKeys = upstreamApiKeys == null ? Map.of() : upstreamApiKeys;
		upstreamApiKeys.forEach((service, key) -> {
			if (key != null && key.header() != null && ASSERTED.stream().anyMatch(key.header()::equalsIgnoreCase)) {
				throw new IllegalArgumentException("gateway.identity.upstream-api-keys." + service + ".header: '"
						+ key.header()
						+ "' is an identity header only the gateway sets; an API key needs a header of its own");
			}
		});
	}

	/**
	 * Token verification. RS256 tokens are checked against {@code jwksUri} (Supabase:
	 * {@code {SUPABASE_URL}/auth/v1/jwks}), HS256 tokens with {@code hmacSecret}; with
	 * neither, tokens are not verified and every caller is anonymous.
	 *
	 * @param jwksUri the JWKS that RS256 tokens are verified against (env
	 * {@code SUPABASE_JWKS_URL}); unset by default
	 * @param hmacSecret the shared secret HS256 tokens are verified with (env
	 * {@code SUPABASE_JWT_SECRET}); unset by default
	 * @param issuer required {@code iss} when set (Supabase: {@code SUPABASE_URL})
	 * @param audience required {@code aud} entry when set (Supabase:
	 * {@code {SUPABASE_URL}/auth/v1})
	 * @param cacheTtl how long a verified token is remembered; default 60 s, never past
	 * its expiry
	 */
	public record Jwt(String jwksUri, String hmacSecret, String issuer, String audience, java.time.Duration cacheTtl) {

		public Jwt {
			cacheTtl = cacheTtl == null ? java.time.Duration.ofSeconds(60) : cacheTtl;
		}

	}

	/**
	 * A header and the secret value the gateway sends in it, replacing the client's;
	 * while the value is empty, the client's own header passes to the service instead.
	 */
	public record ApiKey(String header, String value) {

		/** Whether the gateway has a key of its own to send. */
		public boolean configured() {
			return value != null && !value.isEmpty();
		}

	}

}
