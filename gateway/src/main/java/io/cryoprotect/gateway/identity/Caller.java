package io.cryoprotect.gateway.identity;

import java.time.Instant;

import org.springframework.web.server.ServerWebExchange;

/**
 * A caller whose token the gateway verified: the subject is the per-user key for stickiness
 * and limits; role and plan choose the tier. Anonymous callers have no {@code Caller}.
 *
 * @param role the token's {@code role} claim, {@code user} when absent
 * @param plan {@code app_metadata.plan} (or {@code tier}), null when absent
 */
public record Caller(String subject, String email, String role, String plan, Instant expiresAt) {

	static final String ATTR = Caller.class.getName();

	/** The verified caller of this exchange, or null for an anonymous one. */
	public static Caller of(ServerWebExchange exchange) {
		return exchange.getAttribute(ATTR);
	}

	/** The key that identifies the caller: the verified subject, or the client address when anonymous. */
	public static String key(ServerWebExchange exchange) {
		Caller caller = of(exchange);
		return caller != null ? caller.subject() : ClientAddress.of(exchange);
	}

}
