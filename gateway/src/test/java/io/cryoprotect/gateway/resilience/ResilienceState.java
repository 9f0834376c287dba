package io.cryoprotect.gateway.resilience;

import org.springframework.context.ApplicationContext;

/**
 * For tests outside this package: resets the package-private breakers and retry budgets
 * of a running gateway.
 */
public final class ResilienceState {

	private ResilienceState() {
	}

	/**
	 * Closes every breaker and empties every retry budget of {@code context}'s gateway,
	 * as if none had been used.
	 */
	public static void reset(ApplicationContext context) {
		context.getBeanProvider(CircuitBreakers.class).ifAvailable(CircuitBreakers::reset);
		context.getBeanProvider(RetryBudgets.class).ifAvailable(RetryBudgets::reset);
	}

}
