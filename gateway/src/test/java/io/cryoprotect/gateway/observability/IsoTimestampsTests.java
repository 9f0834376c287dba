package io.cryoprotect.gateway.observability;

import java.time.Instant;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IsoTimestampsTests {

	@Test
	void writesWhatInstantToStringWrites() {
		long second = Instant.parse("2026-12-02T04:17:05Z").getEpochSecond();
		int[] nanos = { 0, 1, 5_000_000, 120_000_000, 724_000, 724_241_891, 999_999_999, 1_000, 10_000_000, 100 };
		for (int nano : nanos) {
			for (long s : new long[] { second, second + 1, 0, -1,
					Instant.parse("9999-12-31T23:59:59Z").getEpochSecond(),
					Instant.parse("0999-01-01T00:00:00Z").getEpochSecond(),
					Instant.parse("+12000-01-01T00:00:00Z").getEpochSecond() }) {
				Instant instant = Instant.ofEpochSecond(s, nano);
				assertThat(IsoTimestamps.format(instant)).isEqualTo(instant.toString());
			}
		}
	}

	@Test
	void agreesOnRandomInstantsAroundNow() {
		SplittableRandom random = new SplittableRandom(42);
		long now = Instant.parse("2026-12-02T00:00:00Z").getEpochSecond();
		for (int i = 0; i < 100_000; i++) {
			Instant instant = Instant.ofEpochSecond(now + random.nextLong(0, 86_400 * 400L),
					random.nextInt(1_000_000_000));
			assertThat(IsoTimestamps.format(instant)).isEqualTo(instant.toString());
		}
	}

}
