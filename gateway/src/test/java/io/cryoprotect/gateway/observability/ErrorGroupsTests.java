package io.cryoprotect.gateway.observability;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.cryoprotect.gateway.support.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fingerprints, counts, eviction and once-per-window logging of error groups, on a
 * hand-moved clock.
 */
class ErrorGroupsTests {

	private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

	private final MutableClock clock = new MutableClock(T0);

	private ErrorGroups groups(int max) {
		return new ErrorGroups(clock, new ObservabilityProperties.ErrorGroups(max, 3, Duration.ofSeconds(60)));
	}

	@Test
	void numbersIdsHexAndUuidsAreNormalisedAway() {
		assertThat(
				ErrorGroups.normalise("molecule 42 (id 3f2a9c0d11e4, req 123e4567-e89b-12d3-a456-426614174000) failed"))
			.isEqualTo("molecule <n> (id <hex>, req <uuid>) failed");
		assertThat(ErrorGroups.normalise("deadbeef is a word")).isEqualTo("deadbeef is a word");
	}

	@Test
	void messagesDifferingOnlyInIdsShareOneGroup() {
		ErrorGroups groups = groups(10);
		groups.record("flask-api", "upstream_timeout", "did not answer within 1500 ms", "r1");
		clock.advance(Duration.ofSeconds(5));
		groups.record("flask-api", "upstream_timeout", "did not answer within 2500 ms", "r2");
		groups.record("rdkit", "upstream_timeout", "did not answer within 2500 ms", "r3");
		List<ErrorGroups.Group> all = groups.groups();
		assertThat(all).hasSize(2);
		ErrorGroups.Group flask = all.stream().filter(g -> g.route().equals("flask-api")).findFirst().orElseThrow();
		assertThat(flask.count()).isEqualTo(2);
		assertThat(flask.firstSeen()).isEqualTo(T0);
		assertThat(flask.lastSeen()).isEqualTo(T0.plusSeconds(5));
		assertThat(flask.message()).isEqualTo("did not answer within <n> ms");
		assertThat(flask.recentRequestIds()).containsExactly("r1", "r2");
	}

	@Test
	void onlyTheLatestRequestIdsAreKept() {
		ErrorGroups groups = groups(10);
		for (int i = 1; i <= 5; i++) {
			groups.record("convex", "internal", "boom", "r" + i);
		}
		assertThat(groups.groups().get(0).recentRequestIds()).containsExactly("r3", "r4", "r5");
		assertThat(groups.groups().get(0).count()).isEqualTo(5);
	}

	@Test
	void leastRecentlySeenGroupIsEvictedBeyondTheBound() {
		ErrorGroups groups = groups(2);
		groups.record("a", "internal", "x", "r1");
		groups.record("b", "internal", "x", "r2");
		groups.record("a", "internal", "x", "r3");
		groups.record("c", "internal", "x", "r4");
		assertThat(groups.groups()).extracting(ErrorGroups.Group::route).containsExactly("c", "a");
	}

	@Test
	void aBurstIsLoggedOncePerWindow() {
		ErrorGroups groups = groups(10);
		try (LogCapture log = new LogCapture(ErrorGroups.class.getName())) {
			for (int i = 0; i < 100; i++) {
				groups.record("flask-api", "upstream_503", "upstream answered 503", "r" + i);
			}
			assertThat(log.messages()).hasSize(1);
			clock.advance(Duration.ofSeconds(59));
			groups.record("flask-api", "upstream_503", "upstream answered 503", "late");
			assertThat(log.messages()).hasSize(1);
			clock.advance(Duration.ofSeconds(1));
			groups.record("flask-api", "upstream_503", "upstream answered 503", "next");
			assertThat(log.messages()).hasSize(2);
			assertThat(log.messages().get(1)).contains("101 new since").contains("102 in all").contains("next");
		}
	}

}
