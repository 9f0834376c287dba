package io.cryoprotect.gateway.ratelimit;

import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Bandwidths;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Rate;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.VerboseResult;

/**
 * What one bucket said about one request.
 *
 * @param consumed whether the request's tokens were taken
 * @param bandwidths the rates the bucket enforced (a replica's share while Redis is
 * away), or null when unknown
 * @param rate the bucket's most exhausted bandwidth, or null when the storage could not
 * tell (Redis failed and the configured answer is allow or deny)
 * @param remaining tokens left in that bandwidth
 * @param resetNanos until that bandwidth is full again
 * @param retryAfterNanos until the request could pass, when it was not consumed
 * @param degraded decided without the shared store, because Redis failed
 */
record Probe(boolean consumed, Bandwidths bandwidths, Rate rate, long remaining, long resetNanos, long retryAfterNanos,
		boolean degraded) {

	static Probe of(VerboseResult<ConsumptionProbe> result, Bandwidths bandwidths, boolean degraded) {
		ConsumptionProbe probe = result.getValue();
		long[] available = result.getDiagnostics().getAvailableTokensPerEachBandwidth();
		int tightest = 0;
		for (int i = 1; i < available.length; i++) {
			if (available[i] < available[tightest]) {
				tightest = i;
			}
		}
		Rate rate = bandwidths.rates().get(tightest);
		long left = Math.max(0, available[tightest]);
		long missing = rate.tokens() - left;
		long reset = missing <= 0 ? 0 : (long) Math.ceil((double) missing / rate.tokens() * rate.window().toNanos());
		return new Probe(probe.isConsumed(), bandwidths, rate, left, reset,
				probe.isConsumed() ? 0 : probe.getNanosToWaitForRefill(), degraded);
	}

	/** Redis failed and the configured answer is to let requests pass. */
	static Probe allowedBlind() {
		return new Probe(true, null, null, 0, 0, 0, true);
	}

	/** Redis failed and the configured answer is to refuse requests until it is back. */
	static Probe deniedBlind(long retryAfterNanos) {
		return new Probe(false, null, null, 0, 0, retryAfterNanos, true);
	}

}
