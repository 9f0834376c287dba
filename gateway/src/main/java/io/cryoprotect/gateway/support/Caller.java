package io.cryoprotect.gateway.support;

import java.time.Instant;

/**
 * A caller whose token the gateway verified: the subject is the per-user key for
 * stickiness and limits; role and plan choose the tier. Anonymous callers have no
 * {@code Caller}. The identity stage writes it into {@link RequestState#caller(Caller)}.
 *
 * @param role the token's {@code role} claim, {@code user} when absent
 * @param plan {@code app_metadata.plan} (or {@code tier}), null when absent
 */
public record Caller(String subject, String email, String role, String plan, Instant expiresAt) {

}
