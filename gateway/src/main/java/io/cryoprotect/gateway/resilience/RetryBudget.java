package io.cryoprotect.gateway.resilience;

import java.util.function.LongSupplier;

/**
 * Caps retries to an upstream at a share of its live requests over a sliding window (ten
 * slots), plus a small floor per second so that a quiet upstream can still be retried. A
 * sick upstream under load therefore sees at most {@code (1 + ratio)} times the traffic,
 * never a retry storm. Time comes from an injected nanosecond clock.
 */
final class RetryBudget {

	private static final int SLOTS = 10;

	private final double ratio;

	private final double floor;

	private final long slotNanos;

	private final LongSupplier nanoClock;

	private final long[] slotIds = new long[SLOTS];

	private final long[] requests = new long[SLOTS];

	private final long[] retries = new long[SLOTS];

	RetryBudget(ResilienceConfig.BudgetSettings settings, LongSupplier nanoClock) {
		this.ratio = settings.ratio();
		this.floor = settings.minRetriesPerSecond() * settings.window().toNanos() / 1e9;
		this.slotNanos = Math.max(1, settings.window().toNanos() / SLOTS);
		this.nanoClock = nanoClock;
		java.util.Arrays.fill(slotIds, Long.MIN_VALUE);
	}

	synchronized void onRequest() {
		requests[slot()]++;
	}

	/** Takes one retry from the budget if the window allows it. */
	synchronized boolean tryRetry() {
		int current = slot();
		long windowRequests = 0;
		long windowRetries = 0;
		for (int i = 0; i < SLOTS; i++) {
			windowRequests += requests[i];
			windowRetries += retries[i];
		}
		if (windowRetries + 1 > ratio * windowRequests + floor) {
			return false;
		}
		retries[current]++;
		return true;
	}

	private int slot() {
		long id = nanoClock.getAsLong() / slotNanos;
		int index = (int) Math.floorMod(id, (long) SLOTS);
		if (slotIds[index] != id) {
			// Slots older than the window are reused for the current one; skipped slots are cleared too.
			for (int i = 0; i < SLOTS; i++) {
				if (slotIds[i] <= id - SLOTS) {
					slotIds[i] = Long.MIN_VALUE;
					requests[i] = 0;
					retries[i] = 0;
				}
			}
			slotIds[index] = id;
			requests[index] = 0;
			retries[index] = 0;
		}
		return index;
	}

}
