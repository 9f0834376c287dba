package io.cryoprotect.gateway.ops;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.cryoprotect.gateway.GatewayApplication;
import io.cryoprotect.gateway.support.TestConfigDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code validate} as an operator runs it: a child JVM on the gateway's class path,
 * against the repository's own files and against copies with one mistake each.
 */
@Tag("slow")
class ValidateCommandTests {

	private Process process;

	@AfterEach
	void cleanUp() {
		if (process != null) {
			process.destroyForcibly();
		}
	}

	/** The command's exit code and its standard output. */
	private record Run(int exitCode, String output) {
	}

	private Run validate(String... args) throws IOException, InterruptedException {
		Path log = Files.createTempFile("validate", ".out");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
				GatewayApplication.class.getName(), "validate"));
		command.addAll(List.of(args));
		process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		boolean exited = process.waitFor(120, TimeUnit.SECONDS);
		String output = Files.readString(log);
		Files.delete(log);
		assertThat(exited).as("validate exits by itself; output:%n%s", output).isTrue();
		return new Run(process.exitValue(), output);
	}

	@Test
	void repositoryFilesAreValidAndTheJsonReportSaysSo() throws Exception {
		Run run = validate("--routes", Path.of("..", "routes").toString(), "--filters-conf",
				Path.of("..", "filters-conf").toString(), "--format", "json");

		assertThat(run.exitCode()).as(run.output()).isZero();
		JsonNode report = JsonMapper.shared().readTree(run.output().lines().reduce((a, b) -> b).orElseThrow());
		assertThat(report.get("valid").asBoolean()).isTrue();
		assertThat(report.get("problems").isEmpty()).isTrue();
		assertThat(report.get("configs").propertyNames()).containsExactlyInAnyOrder("routes", "resilience",
				"ratelimits", "validation");
		assertThat(run.output()).doesNotContain("Netty started");
	}

	@Test
	void aBrokenRouteAndPolicyFileEachGiveALineNamingFileKeyAndValue() throws Exception {
		TestConfigDir routes = new TestConfigDir("routes",
				Map.of("rdkit.yml", text -> text.replaceFirst("weight: 100", "weight: 150")));
		TestConfigDir filtersConf = new TestConfigDir("filters-conf", Map.of("resilience.yml",
				text -> text.replaceFirst("(rdkit:\\n    preset: )heavy-calculation", "$1no-such-preset")));

		Run run = validate("--routes", routes.path(), "--filters-conf", filtersConf.path());

		assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
		assertThat(run.output())
			.contains(routes.path() + "/rdkit.yml: key 'routes[0].upstreams.blue.weight' value '150': ")
			.containsPattern("\\Q" + filtersConf.path()
					+ "/resilience.yml: key 'routes.rdkit.preset' value 'no-such-preset'\\E: .+");
	}

	@Test
	void aRouteIdNamedInAPolicyFileButMissingFromRoutesIsAProblem() throws Exception {
		TestConfigDir routes = new TestConfigDir("routes",
				Map.of("rdkit.yml", text -> text.replace("id: rdkit-health", "id: rdkit-probe")));
		TestConfigDir filtersConf = new TestConfigDir("filters-conf", Map.of("ratelimits.yml",
				text -> text.replace("routes: [convex, convex-sync]", "routes: [convex, convex-snyc]")));

		Run run = validate("--routes", routes.path(), "--filters-conf", filtersConf.path());

		assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
		assertThat(run.output())
			.contains(filtersConf.path() + "/resilience.yml: key 'routes.rdkit-health' value 'rdkit-health': "
					+ "no route with this id in routes/")
			.contains(filtersConf.path() + "/ratelimits.yml: key 'limits.convex.match.routes' value 'convex-snyc': "
					+ "no route with this id in routes/")
			.contains("2 problem(s) found");
	}

	@Test
	void theJsonReportListsEachProblemWithItsFields() throws Exception {
		TestConfigDir routes = new TestConfigDir("routes",
				Map.of("rdkit.yml", text -> text.replaceFirst("weight: 100", "weight: 150")));

		Run run = validate("--routes", routes.path(), "--filters-conf", Path.of("..", "filters-conf").toString(),
				"--format", "json");

		assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
		JsonNode report = JsonMapper.shared().readTree(run.output().lines().reduce((a, b) -> b).orElseThrow());
		assertThat(report.get("valid").asBoolean()).isFalse();
		JsonNode first = report.get("problems").get(0);
		assertThat(first.get("file").asString()).isEqualTo(routes.path() + "/rdkit.yml");
		assertThat(first.get("key").asString()).isEqualTo("routes[0].upstreams.blue.weight");
		assertThat(first.get("value").asString()).isEqualTo("150");
		assertThat(first.get("reason").asString()).isNotBlank();
	}

	@Test
	void anUnknownOptionIsAUsageError() throws Exception {
		ByteArrayOutputStream err = new ByteArrayOutputStream();

		int exitCode = ValidateCommand.run(List.of("--route", "x"), new PrintStream(OutputStream.nullOutputStream()),
				new PrintStream(err, true, StandardCharsets.UTF_8));

		assertThat(exitCode).isEqualTo(2);
		assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option '--route'");
	}

}
