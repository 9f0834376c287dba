package io.cryoprotect.gateway.validation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.cryoprotect.gateway.configfile.ConfigDirectoryWatcher;
import io.cryoprotect.gateway.configfile.ConfigFiles;
import io.cryoprotect.gateway.smiles.SmilesSyntax;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;

/**
 * Validation's per-request work with the shipped {@code filters-conf/}: endpoint lookup,
 * parsing and schema-checking a ~1 KB mixture body, and the SMILES syntax check.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ValidationBenchmark {

	private static final String TREHALOSE = "OC[C@H]1O[C@H](O[C@H]2O[C@H](CO)[C@@H](O)[C@H](O)[C@H]2O)[C@H](O)[C@@H](O)[C@@H]1O";

	private ValidationConfig config;

	private EndpointRule mixtureCreate;

	private final PathContainer path = PathContainer.parsePath("/api/v1/mixtures");

	private byte[] body;

	@Setup
	public void loadShippedConfig() throws IOException {
		AtomicReference<ConfigFiles> files = new AtomicReference<>();
		try (ConfigDirectoryWatcher watcher = new ConfigDirectoryWatcher("../filters-conf", ValidationConfigLoader::isValidationFile,
				files::set)) {
			watcher.check();
		}
		config = new ValidationConfigLoader(new ValidationMetrics(new SimpleMeterRegistry()), null).load(files.get());
		mixtureCreate = config.match("flask-api", HttpMethod.POST, path).rule();
		StringBuilder json = new StringBuilder("{\"name\":\"VS55 vitrification solution\",\"description\":\"")
			.append("Cryoprotectant mixture for vitrification of tissue. ".repeat(5))
			.append("\",\"components\":[");
		for (int i = 1; i <= 8; i++) {
			json.append(i > 1 ? "," : "")
				.append("{\"molecule_id\":\"8b2d4e61-1a3c-4f5e-8d7a-2b9c0e1f3a0").append(i)
				.append("\",\"concentration\":").append(i).append(".5,\"concentration_unit\":\"mM\"}");
		}
		body = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
	}

	@Benchmark
	public ValidationConfig.Match endpointLookup() {
		return config.match("flask-api", HttpMethod.POST, path);
	}

	@Benchmark
	public List<Violation> parseAndValidate1KbBody() {
		JsonBodyReader.Parsed parsed = mixtureCreate.json().read(body);
		return mixtureCreate.requestSchema().violations(parsed.node());
	}

	@Benchmark
	public String smilesTrehalose() {
		return SmilesSyntax.check(TREHALOSE);
	}

}
