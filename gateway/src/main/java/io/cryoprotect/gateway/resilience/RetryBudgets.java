package io.cryoprotect.gateway.resilience;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.cryoprotect.gateway.support.UpstreamTarget;

/** One {@link RetryBudget} per upstream colour, replaced when its settings change. */
final class RetryBudgets {

	private record Entry(ResilienceConfig.BudgetSettings settings, RetryBudget budget) {
	}

	private final Map<String, Entry> budgets = new ConcurrentHashMap<>();

	private final LongSupplier nanoClock;

	RetryBudgets(LongSupplier nanoClock) {
		this.nanoClock = nanoClock;
	}

	RetryBudget get(UpstreamTarget target, ResilienceConfig.BudgetSettings settings) {
		Entry entry = budgets.get(target.key());
		if (entry == null || !entry.settings().equals(settings)) {
			entry = budgets.compute(target.key(), (key, old) -> old != null && old.settings().equals(settings) ? old
					: new Entry(settings, new RetryBudget(settings, nanoClock)));
		}
		return entry.budget();
	}

	/**
	 * Forgets every window's requests and retries: tests that share one gateway call it
	 * between them.
	 */
	void reset() {
		budgets.clear();
	}

}
