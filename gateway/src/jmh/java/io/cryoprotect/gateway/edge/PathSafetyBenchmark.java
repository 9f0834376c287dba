package io.cryoprotect.gateway.edge;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** The raw-path check every request goes through at the edge. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PathSafetyBenchmark {

	@Benchmark
	public String typicalPath() {
		return PathSafety.check("/api/v1/molecules/3f1c9a52-7d4e-4b8a-9c1e-0a5b6d7e8f90");
	}

	@Benchmark
	public String encodedPath() {
		return PathSafety.check("/api/v1/molecules/%C3%A9thanol%20glycol");
	}

}
