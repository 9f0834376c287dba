package io.cryoprotect.gateway.routing;

import java.net.URI;
import java.util.List;

import io.cryoprotect.gateway.support.ColourPick;
import io.cryoprotect.gateway.support.UpstreamTarget;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Colour picking: weights, stickiness and the monotonic shift of sticky callers. */
class ColourPlanTests {

	private static ColourPlan plan(RouteFile.StickyKey sticky, int blue, int green) {
		return new ColourPlan("flask-api", "flask-api", sticky,
				List.of(UpstreamColour.of("blue", URI.create("http://127.0.0.1:9101"), blue),
						UpstreamColour.of("green", URI.create("http://127.0.0.1:9102"), green)));
	}

	private static UpstreamColour sticky(ColourPlan plan, String key) {
		return plan.pick(plan.bucket(key), "flask-api", UpstreamHealth.ALWAYS_HEALTHY);
	}

	private static UpstreamColour random(ColourPlan plan) {
		return plan.pick(plan.bucket(null), "flask-api", UpstreamHealth.ALWAYS_HEALTHY);
	}

	@Test
	void unhealthyColourIsSkippedWhileAnotherColourWithWeightIsHealthy() {
		ColourPlan plan = plan(RouteFile.StickyKey.none, 50, 50);
		UpstreamHealth greenDown = (service, colour) -> !colour.equals("green");
		for (int bucket = 0; bucket < 100; bucket++) {
			assertThat(plan.pick(bucket, "flask-api", greenDown).name()).isEqualTo("blue");
		}
	}

	@Test
	void drainedColourIsNotAFallbackForAnUnhealthyOne() {
		ColourPlan plan = plan(RouteFile.StickyKey.none, 100, 0);
		UpstreamHealth blueDown = (service, colour) -> !colour.equals("blue");
		assertThat(plan.pick(42, "flask-api", blueDown)).isNull();
	}

	@Test
	void noHealthyColourMeansNoPick() {
		ColourPlan plan = plan(RouteFile.StickyKey.none, 30, 70);
		assertThat(plan.pick(10, "flask-api", (service, colour) -> false)).isNull();
	}

	@Test
	void raisingGreenOnlyEverMovesStickyCallersFromBlueToGreen() {
		int callers = 10_000;
		String[] previous = new String[callers];
		for (int green = 0; green <= 100; green++) {
			ColourPlan plan = plan(RouteFile.StickyKey.user, 100 - green, green);
			int onGreen = 0;
			for (int i = 0; i < callers; i++) {
				String colour = sticky(plan, "user-" + i).name();
				if (previous[i] != null && previous[i].equals("green")) {
					assertThat(colour).as("caller %d at green weight %d", i, green).isEqualTo("green");
				}
				previous[i] = colour;
				onGreen += colour.equals("green") ? 1 : 0;
			}
			assertThat(onGreen / (double) callers).as("share on green at weight %d", green)
				.isCloseTo(green / 100.0, org.assertj.core.data.Offset.offset(0.025));
		}
	}

	@Test
	void sameKeyAlwaysGetsSameColour() {
		ColourPlan plan = plan(RouteFile.StickyKey.ip, 50, 50);
		String first = sticky(plan, "203.0.113.7").name();
		for (int i = 0; i < 100; i++) {
			assertThat(sticky(plan, "203.0.113.7").name()).isEqualTo(first);
		}
	}

	@Test
	void drainedColourIsNeverPicked() {
		ColourPlan plan = plan(RouteFile.StickyKey.none, 100, 0);
		for (int i = 0; i < 10_000; i++) {
			assertThat(random(plan).name()).isEqualTo("blue");
			assertThat(sticky(plan, "k" + i).name()).isEqualTo("blue");
		}
	}

	@Test
	void randomPickFollowsWeights() {
		ColourPlan plan = plan(RouteFile.StickyKey.none, 90, 10);
		int green = 0;
		for (int i = 0; i < 10_000; i++) {
			green += random(plan).name().equals("green") ? 1 : 0;
		}
		assertThat(green).isBetween(850, 1150);
	}

	@Test
	void weightsNotSummingTo100AreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> plan(RouteFile.StickyKey.none, 90, 20))
			.withMessage("weights of route flask-api must sum to 100 but sum to 110");
	}

	@Test
	void retargetKeepsRawPathAndQuery() {
		UpstreamColour green = UpstreamColour.of("green", URI.create("https://green.example.org:8443"), 100);
		URI target = green.retarget(URI.create("http://127.0.0.1:9101/api/v1/molecules/a%20b?q=x%26y&limit=5"));
		assertThat(target).hasToString("https://green.example.org:8443/api/v1/molecules/a%20b?q=x%26y&limit=5");
	}

	@Test
	void aFallbackColourIsNamedByThePlanWithTheRequestPointedAtIt() {
		ColourPlan plan = plan(RouteFile.StickyKey.none, 100, 0);
		ColourPick.Retarget green = plan.retarget("flask-api", "green",
				URI.create("http://127.0.0.1:9101/api/v1/molecules/a%20b?q=x%26y"));
		assertThat(green.target()).isEqualTo(new UpstreamTarget("flask-api", "green", "http://127.0.0.1:9102"));
		assertThat(green.target().key()).isEqualTo("flask-api/green");
		assertThat(green.url()).hasToString("http://127.0.0.1:9102/api/v1/molecules/a%20b?q=x%26y");
		assertThat(plan.retarget("flask-api", "purple", URI.create("http://127.0.0.1:9101/"))).as("no such colour")
			.isNull();
	}

}
