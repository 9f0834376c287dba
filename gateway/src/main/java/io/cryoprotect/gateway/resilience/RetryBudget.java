package io.cryoprotect.gateway.resilience;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Caps retries to an upstream at a share of its live requests over a sliding window (ten
 * slots), plus a small floor per second so that a quiet upstream can still be retried. A
 * sick upstream under load therefore sees at most {@code (1 + ratio)} times the traffic,
 * never a retry storm. Time comes from an injected nanosecond clock.
 * <p>
 * Lock-free: a request is one {@link LongAdder} increment, so event loops counting
 * requests to the same upstream never wait for each other. A slot that leaves the window
 * is replaced by a fresh one, not cleared. A retry is taken with a compare-and-set on the
 * current slot's count against the window's limit, so concurrent retries never overdraw
 * the budget.
 */
final class RetryBudget {

	private static final int SLOTS = 10;

	/** The requests and retries of one slot of the window. */
	private static final class Slot {

		final long id;

		final LongAdder requests = new LongAdder();

		final AtomicLong retries = new AtomicLong();

		Slot(long id) {
			this.id = id;
		}

	}

	private final double ratio;

	private final double floor;

	private final long slotNanos;

	private final LongSupplier nanoClock;

	private final AtomicReferenceArray<Slot> slots = new AtomicReferenceArray<>(SLOTS);

	RetryBudget(ResilienceConfig.BudgetSettings settings, LongSupplier nanoClock) {
		this.ratio = settings.ratio();
		this.floor = settings.minRetriesPerSecond() * settings.window().toNanos() / 1e9;
		this.slotNanos = Math.max(1, settings.window().toNanos() / SLOTS);
		this.nanoClock = nanoClock;
		Slot none = new Slot(Long.MIN_VALUE);
		for (int i = 0; i < SLOTS; i++) {
			slots.set(i, none);
		}
	}

	void onRequest() {
		slot(Math.floorDiv(nanoClock.getAsLong(), slotNanos)).requests.increment();
	}

	/** Takes one retry from the budget if the window allows it. */
	boolean tryRetry() {
		long id = Math.floorDiv(nanoClock.getAsLong(), slotNanos);
		Slot current = slot(id);
		long windowRequests = 0;
		long otherRetries = 0;
		for (int i = 0; i < SLOTS; i++) {
			Slot slot = slots.get(i);
			if (slot.id > id - SLOTS) {
				windowRequests += slot.requests.sum();
				otherRetries += slot == current ? 0 : slot.retries.get();
			}
		}
		double limit = ratio * windowRequests + floor;
		long taken;
		do {
			taken = current.retries.get();
			if (otherRetries + taken + 1 > limit) {
				return false;
			}
		}
		while (!current.retries.compareAndSet(taken, taken + 1));
		return true;
	}

	/**
	 * The slot of {@code id}, replacing the one of the same index that has left the
	 * window. A caller whose clock read lost a race to a newer slot counts in that one.
	 */
	private Slot slot(long id) {
		int index = (int) Math.floorMod(id, (long) SLOTS);
		Slot slot = slots.get(index);
		while (slot.id < id) {
			Slot fresh = new Slot(id);
			if (slots.compareAndSet(index, slot, fresh)) {
				return fresh;
			}
			slot = slots.get(index);
		}
		return slot;
	}

}
