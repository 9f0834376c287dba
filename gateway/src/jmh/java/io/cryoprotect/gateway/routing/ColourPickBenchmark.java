package io.cryoprotect.gateway.routing;

import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** The colour pick of every routed request: sticky (hash of the caller key) and random by weight. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ColourPickBenchmark {

	private final ColourPlan plan = new ColourPlan("flask-api", "flask-api", RouteFile.StickyKey.user,
			List.of(UpstreamColour.of("blue", URI.create("http://127.0.0.1:9101"), 90),
					UpstreamColour.of("green", URI.create("http://127.0.0.1:9102"), 10)));

	private final URI requestUrl = URI.create("http://127.0.0.1:9101/api/v1/molecules?limit=5");

	@Benchmark
	public UpstreamColour stickyPick() {
		return plan.pick(plan.bucket("5b6c7d8e-0000-4000-8000-000000000001"), "flask-api", UpstreamHealth.ALWAYS_HEALTHY);
	}

	@Benchmark
	public UpstreamColour randomPick() {
		return plan.pick(plan.bucket(null), "flask-api", UpstreamHealth.ALWAYS_HEALTHY);
	}

	@Benchmark
	public URI pickAndRetarget() {
		return stickyPick().retarget(requestUrl);
	}

}
