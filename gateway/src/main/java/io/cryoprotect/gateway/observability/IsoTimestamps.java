package io.cryoprotect.gateway.observability;

import java.time.Instant;

/**
 * {@link Instant#toString()} for the access log's {@code time}, with the date and time of
 * day formatted once per second and thread: only the fraction is written per line. The
 * formatter behind {@code Instant.toString()} resolves every field of the date per call.
 */
final class IsoTimestamps {

	private static final ThreadLocal<IsoTimestamps> PER_THREAD = ThreadLocal.withInitial(IsoTimestamps::new);

	private long second = Long.MIN_VALUE;

	/** {@code Instant.toString()} of {@link #second}, without its {@code Z}. */
	private String secondText;

	private final StringBuilder line = new StringBuilder(32);

	private IsoTimestamps() {
	}

	/**
	 * The same text as {@code instant.toString()}: the fraction in as many groups of
	 * three digits as it needs.
	 */
	static String format(Instant instant) {
		return PER_THREAD.get().formatHere(instant);
	}

	private String formatHere(Instant instant) {
		long epochSecond = instant.getEpochSecond();
		if (epochSecond != second) {
			String whole = Instant.ofEpochSecond(epochSecond).toString();
			secondText = whole.substring(0, whole.length() - 1);
			second = epochSecond;
		}
		int nano = instant.getNano();
		line.setLength(0);
		line.append(secondText);
		if (nano != 0) {
			int digits = nano % 1_000_000 == 0 ? 3 : nano % 1_000 == 0 ? 6 : 9;
			int value = digits == 3 ? nano / 1_000_000 : digits == 6 ? nano / 1_000 : nano;
			line.append('.');
			// Leading zeros of the fraction (e.g. .005 for 5 ms).
			for (int scale = digits == 3 ? 100 : digits == 6 ? 100_000 : 100_000_000; scale > value; scale /= 10) {
				line.append('0');
			}
			line.append(value);
		}
		return line.append('Z').toString();
	}

}
