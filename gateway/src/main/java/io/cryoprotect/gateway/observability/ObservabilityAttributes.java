package io.cryoprotect.gateway.observability;

/**
 * Exchange attributes other features set for the observers: the access log, metrics and
 * slow-request log read them when the request ends, so a feature only has to put a value.
 */
public final class ObservabilityAttributes {

	/** Integer: upstream attempts made for this request (1 without retries); set by the resilience filter. */
	public static final String ATTEMPTS = ObservabilityAttributes.class.getName() + ".attempts";

	/**
	 * String: the rate-limit verdict, e.g. {@code allowed}, {@code limited}, {@code shadow_limited},
	 * {@code degraded}; logged as {@code rateLimit}, absent until the rate-limit filter sets it.
	 */
	public static final String RATE_LIMIT = ObservabilityAttributes.class.getName() + ".rateLimit";

	/**
	 * String: the validation verdict of the body, parameters and content type: {@code passed},
	 * {@code failed} or {@code shadow_failed}; logged as {@code validation}, absent where no rule applies.
	 */
	public static final String VALIDATION = ObservabilityAttributes.class.getName() + ".validation";

	private ObservabilityAttributes() {
	}

}
