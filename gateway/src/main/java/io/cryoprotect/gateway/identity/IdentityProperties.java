package io.cryoprotect.gateway.identity;

import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Who the caller is and what the upstreams may believe about it ({@code gateway.identity.*}).
 *
 * @param trustedProxies CIDR blocks whose {@code X-Forwarded-For}/{@code Forwarded} are
 * believed; default none, so the client address is always the socket peer
 * @param strippedHeaders identity headers removed from every client request, since only the
 * gateway may assert them; default {@code X-User-Id}, {@code X-User-Email},
 * {@code X-User-Role}, {@code X-User-Plan}, {@code X-Authenticated-User}, {@code X-Real-IP},
 * {@code X-API-Key}
 * @param upstreamApiKeys per route-file service, a header the gateway adds from its own
 * secret, e.g. RDKit's {@code X-API-Key} from {@code RDKIT_API_KEY}; an empty value adds nothing
 */
@ConfigurationProperties("gateway.identity")
public record IdentityProperties(List<String> trustedProxies, List<String> strippedHeaders,
		Map<String, ApiKey> upstreamApiKeys) {

	public IdentityProperties {
		trustedProxies = trustedProxies == null ? List.of() : trustedProxies;
		strippedHeaders = strippedHeaders == null ? List.of("X-User-Id", "X-User-Email", "X-User-Role", "X-User-Plan",
				"X-Authenticated-User", "X-Real-IP", "X-API-Key") : strippedHeaders;
		upstreamApiKeys = upstreamApiKeys == null ? Map.of() : upstreamApiKeys;
	}

	/** A header and the secret value the gateway sends in it. */
	public record ApiKey(String header, String value) {
	}

}
