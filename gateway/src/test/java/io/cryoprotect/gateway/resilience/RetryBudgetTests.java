package io.cryoprotect.gateway.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import io.cryoprotect.gateway.support.UpstreamTarget;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RetryBudget} and {@link RetryBudgets} on a hand-moved nanosecond clock: the
 * window slides without waiting.
 */
class RetryBudgetTests {

	private static final UpstreamTarget BLUE = new UpstreamTarget("flask-api", "blue", "http://127.0.0.1:1");

	private final AtomicLong nanos = new AtomicLong(Duration.ofHours(1).toNanos());

	private RetryBudget budget(double ratio, double minRetriesPerSecond, Duration window) {
		return new RetryBudget(new ResilienceConfig.BudgetSettings(ratio, minRetriesPerSecond, window), nanos::get);
	}

	private void advance(Duration duration) {
		nanos.addAndGet(duration.toNanos());
	}

	private static int retriesGranted(RetryBudget budget) {
		int granted = 0;
		while (budget.tryRetry()) {
			granted++;
		}
		return granted;
	}

	private static void requests(RetryBudget budget, int count) {
		for (int i = 0; i < count; i++) {
			budget.onRequest();
		}
	}

	@Test
	void withoutAFloorRetriesAreAShareOfTheWindowsRequests() {
		RetryBudget budget = budget(0.2, 0, Duration.ofSeconds(10));
		assertThat(budget.tryRetry()).as("no requests, no floor: no retry").isFalse();
		requests(budget, 10);
		assertThat(retriesGranted(budget)).isEqualTo(2);
		requests(budget, 5);
		assertThat(retriesGranted(budget)).as("15 requests allow 3 retries, 2 were taken").isEqualTo(1);
	}

	@Test
	void theFloorLetsAQuietUpstreamBeRetried() {
		// 1 retry a second over a 10 s window: 10 retries with no request at all.
		RetryBudget budget = budget(0.2, 1, Duration.ofSeconds(10));
		assertThat(retriesGranted(budget)).isEqualTo(10);
		requests(budget, 10);
		assertThat(retriesGranted(budget)).as("the share comes on top of the floor").isEqualTo(2);
	}

	@Test
	void requestsAndRetriesLeaveTheWindowSlotBySlot() {
		RetryBudget budget = budget(0.5, 0, Duration.ofSeconds(10));
		requests(budget, 10);
		assertThat(retriesGranted(budget)).isEqualTo(5);
		advance(Duration.ofSeconds(5));
		requests(budget, 10);
		assertThat(retriesGranted(budget)).as("20 requests in the window, 5 retries already").isEqualTo(5);
		// Just inside the window of the first slot: nothing has left yet.
		advance(Duration.ofSeconds(5).minusNanos(1));
		assertThat(budget.tryRetry()).isFalse();
		// The first slot (10 requests, 5 retries) leaves: 10 requests and 5 retries
		// remain, the share is spent.
		advance(Duration.ofNanos(1));
		assertThat(budget.tryRetry()).isFalse();
		requests(budget, 2);
		assertThat(retriesGranted(budget)).isEqualTo(1);
	}

	@Test
	void aGapLongerThanTheWindowClearsEverySlot() {
		RetryBudget budget = budget(0.2, 0, Duration.ofSeconds(10));
		requests(budget, 100);
		assertThat(retriesGranted(budget)).isEqualTo(20);
		advance(Duration.ofSeconds(25));
		assertThat(budget.tryRetry()).as("old requests no longer pay for retries").isFalse();
		requests(budget, 5);
		assertThat(retriesGranted(budget)).as("old retries no longer count either").isEqualTo(1);
	}

	@Test
	void threadsRacingForTheBudgetNeitherLoseRequestsNorOverdrawRetries() throws Exception {
		RetryBudget budget = budget(0.1, 0, Duration.ofSeconds(10));
		int threads = 4;
		List<Integer> granted = race(threads, () -> {
			requests(budget, 10_000);
			return 0;
		});
		assertThat(granted).containsOnly(0);
		// 40,000 requests allow exactly 4,000 retries, however the threads interleave.
		granted = race(threads, () -> {
			int mine = 0;
			for (int i = 0; i < 2_000; i++) {
				mine += budget.tryRetry() ? 1 : 0;
			}
			return mine;
		});
		assertThat(granted.stream().mapToInt(Integer::intValue).sum()).isEqualTo(4_000);
		assertThat(budget.tryRetry()).isFalse();
	}

	/**
	 * Runs {@code task} on {@code threads} threads released together, and returns their
	 * answers.
	 */
	private static List<Integer> race(int threads, Callable<Integer> task) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			CyclicBarrier start = new CyclicBarrier(threads);
			List<Future<Integer>> futures = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				futures.add(pool.submit(() -> {
					start.await();
					return task.call();
				}));
			}
			List<Integer> answers = new ArrayList<>();
			for (Future<Integer> future : futures) {
				answers.add(future.get());
			}
			return answers;
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void budgetsAreKeptPerUpstreamUntilTheirSettingsChangeOrAReset() {
		RetryBudgets budgets = new RetryBudgets(nanos::get);
		ResilienceConfig.BudgetSettings settings = new ResilienceConfig.BudgetSettings(0.2, 0, Duration.ofSeconds(10));
		RetryBudget budget = budgets.get(BLUE, settings);
		assertThat(budgets.get(BLUE, new ResilienceConfig.BudgetSettings(0.2, 0, Duration.ofSeconds(10))))
			.isSameAs(budget);
		assertThat(budgets.get(new UpstreamTarget("flask-api", "green", "http://127.0.0.1:2"), settings))
			.isNotSameAs(budget);
		assertThat(budgets.get(BLUE, new ResilienceConfig.BudgetSettings(0.3, 0, Duration.ofSeconds(10))))
			.isNotSameAs(budget);

		RetryBudget current = budgets.get(BLUE, settings);
		requests(current, 10);
		budgets.reset();
		RetryBudget fresh = budgets.get(BLUE, settings);
		assertThat(fresh).isNotSameAs(current);
		assertThat(fresh.tryRetry()).as("the reset forgot the 10 requests").isFalse();
	}

}
