package io.cryoprotect.gateway.resilience;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.cryoprotect.gateway.configfile.ConfigFiles;
import io.cryoprotect.gateway.configfile.ConfigProblem;
import io.cryoprotect.gateway.configfile.ConfigRejectedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.http.HttpMethod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * {@code resilience.yml} loaded without a gateway: the shipped file, and each way an edit
 * of it is rejected, with the file, key and value the operator has to fix.
 */
class ResilienceConfigLoaderTests {

	private static final String FILE = "filters-conf/resilience.yml";

	private static String shipped() throws Exception {
		return Files.readString(Path.of("../filters-conf/resilience.yml"));
	}

	private static ResilienceConfig load(String text) {
		return ResilienceConfigLoader
			.loadFiles(ConfigFiles.of("filters-conf", new TreeMap<>(Map.of("resilience.yml", text)), new TreeMap<>()));
	}

	private static List<ConfigProblem> rejectionOf(String text) {
		ConfigRejectedException rejected = catchThrowableOfType(ConfigRejectedException.class, () -> load(text));
		assertThat(rejected).as("rejected").isNotNull();
		return rejected.problems();
	}

	private static String edit(String text, String from, String to) {
		assertThat(text).as("the shipped file still has the line this case edits").contains(from);
		return text.replace(from, to);
	}

	@Test
	void theShippedFileLoadsWithItsPresetsPerRouteAndMethod() throws Exception {
		ResilienceConfig config = load(shipped());
		ResilienceConfig.Policy read = config.policy("flask-api", HttpMethod.GET);
		assertThat(read.preset()).isEqualTo("read");
		assertThat(read.requestTimeout()).isEqualTo(Duration.ofSeconds(20));
		assertThat(read.retry().statuses()).containsExactlyInAnyOrder(502, 503, 504);
		assertThat(read.retry().onConnectFailure()).isTrue();
		assertThat(config.policy("flask-api", HttpMethod.POST).preset()).isEqualTo("write");
		assertThat(config.policy("rdkit", HttpMethod.POST).retry().statuses()).as("a cold start is not retried")
			.isEmpty();
		assertThat(config.policy("no-such-route", HttpMethod.GET).preset()).as("defaultPreset").isEqualTo("read");
		assertThat(config.fallback("flask-api")).isEqualTo(new ResilienceConfig.Fallback("green", null));
		assertThat(config.upstream("flask-api").budget())
			.isEqualTo(new ResilienceConfig.BudgetSettings(0.2, 1, Duration.ofSeconds(10)));
	}

	static Stream<Arguments> rejectedEdits() {
		return Stream.of(
				arguments("defaultPreset: read", "defaultPreset: reed", "defaultPreset", "reed",
						"must name one of the presets [read, write, heavy-calculation]"),
				arguments("    preset: write\n", "    preset: writ\n", "routes.convex.preset", "writ",
						"must name one of the presets"),
				arguments("PUT: write,", "PUT: wrote,", "routes.flask-api.methods.PUT", "wrote",
						"must name one of the presets"),
				arguments("    requestTimeout: 35s", "    requestTimeout: 10s",
						"presets.heavy-calculation.requestTimeout", "PT10S",
						"must not be shorter than responseTimeout (PT30S)"),
				arguments("      initialBackoff: 50ms", "      initialBackoff: 50 apples",
						"presets.read.retry.initialBackoff", "50 apples", "not a duration, e.g. 250ms, 15s or 1m"),
				arguments("    connectTimeout: 5s", "    connectTimeout: 0s",
						"presets.heavy-calculation.connectTimeout", "0s", "must be positive"),
				arguments("      maxAttempts: 3 ", "      maxAttempts: 11 ", "presets.read.retry.maxAttempts", "11",
						"required, an integer from 1 to 10"),
				arguments("      jitter: 0.5               #", "      jitter: 1.5               #",
						"presets.read.retry.jitter", "1.5", "must be between 0.0 and 1.0"),
				arguments("      retryOn: [connect-failure]\n", "      retryOn: [connect-failure, 404]\n",
						"presets.heavy-calculation.retry.retryOn", "404",
						"expected connect-failure, reset, timeout or a status code from 500 to 599"),
				arguments("      initialBackoff: 200ms", "      initialBackoff: 2s",
						"presets.heavy-calculation.retry.maxBackoff", "PT1S",
						"must not be shorter than initialBackoff (PT2S)"),
				arguments("fallback: {colour: green}", "fallback: {colour: green, uri: 'http://standby:8080'}",
						"routes.flask-api.fallback", null, "give exactly one of colour or uri"),
				arguments("fallback: {colour: green}", "fallback: {uri: 'ftp://standby'}",
						"routes.flask-api.fallback.uri", "ftp://standby", "must be an http or https URI with a host"),
				arguments("      ratio: 0.2 ", "      ratio: 1.5 ", "upstreams.defaults.retryBudget.ratio", "1.5",
						"must be between 0.0 and 1.0"));
	}

	@ParameterizedTest(name = "{2} = {3}")
	@MethodSource("rejectedEdits")
	void anInvalidValueIsRejectedNamingFileKeyAndValue(String from, String to, String key, String value, String reason)
			throws Exception {
		// A preset or upstream default is also reported under each route or upstream that
		// inherits it.
		List<ConfigProblem> problems = rejectionOf(edit(shipped(), from, to));
		assertThat(problems).allSatisfy(problem -> assertThat(problem.file()).isEqualTo(FILE));
		assertThat(problems).filteredOn(problem -> problem.key().equals(key)).singleElement().satisfies(problem -> {
			assertThat(problem.value()).isEqualTo(value);
			assertThat(problem.reason()).contains(reason);
		});
	}

	@Test
	void anInvalidDefaultPresetIsReportedUnderItsOwnKeysNotAsAMissingName() throws Exception {
		assertThat(rejectionOf(edit(shipped(), "      initialBackoff: 50ms", "      initialBackoff: 50 apples")))
			.extracting(ConfigProblem::key)
			.contains("presets.read.retry.initialBackoff")
			.doesNotContain("defaultPreset");
	}

	@Test
	void everyProblemIsReportedAtOnce() throws Exception {
		String text = edit(edit(shipped(), "defaultPreset: read", "defaultPreset: reed"), "      ratio: 0.2 ",
				"      ratio: 1.5 ");
		assertThat(rejectionOf(text)).extracting(ConfigProblem::key)
			.contains("defaultPreset", "upstreams.defaults.retryBudget.ratio");
	}

	@Test
	void anUnknownKeyIsRejectedWithItsLineAndTheKnownKeys() throws Exception {
		String text = shipped();
		int line = (int) text.substring(0, text.indexOf("      slidingWindowSize: 20"))
			.chars()
			.filter(c -> c == '\n')
			.count() + 1;
		assertThat(rejectionOf(edit(text, "      slidingWindowSize: 20", "      slidingWindowSise: 20")))
			.singleElement()
			.satisfies(problem -> {
				assertThat(problem.file()).isEqualTo(FILE + ":" + line);
				assertThat(problem.key()).isEqualTo("upstreams.defaults.breaker.slidingWindowSise");
				assertThat(problem.value()).isEqualTo("slidingWindowSise");
				assertThat(problem.reason()).startsWith("unknown key; expected one of [").contains("slidingWindowSize");
			});
	}

	@Test
	void aValueOfTheWrongTypeIsRejected() throws Exception {
		assertThat(rejectionOf(edit(shipped(), "minimumNumberOfCalls: 10", "minimumNumberOfCalls: ten")))
			.singleElement()
			.satisfies(problem -> {
				assertThat(problem.file()).startsWith(FILE + ":");
				assertThat(problem.key()).isEqualTo("upstreams.defaults.breaker.minimumNumberOfCalls");
				assertThat(problem.value()).isEqualTo("ten");
				assertThat(problem.reason()).isEqualTo("expected an integer");
			});
	}

	@Test
	void aDuplicateKeyIsRejected() throws Exception {
		assertThat(rejectionOf(edit(shipped(), "defaultPreset: read", "defaultPreset: read\ndefaultPreset: write")))
			.singleElement()
			.satisfies(
					problem -> assertThat(problem.reason()).startsWith("unparseable YAML").contains("defaultPreset"));
	}

	@Test
	void spelIsRejectedWhereverItStands() throws Exception {
		assertThat(rejectionOf(
				edit(shipped(), "fallback: {colour: green}", "fallback: {colour: '#{T(java.lang.Runtime)}'}")))
			.singleElement()
			.satisfies(problem -> {
				assertThat(problem.file()).startsWith(FILE + ":");
				assertThat(problem.value()).startsWith("#{T(java.lang.Runtime)}");
				assertThat(problem.reason()).isEqualTo("SpEL expressions ('#{') are not allowed in config files");
			});
	}

	@Test
	void anEmptyOrMissingFileIsRejected() {
		assertThat(rejectionOf(" \n")).singleElement()
			.satisfies(problem -> assertThat(problem.reason()).isEqualTo("file is empty"));
		assertThat(rejectionOf("# nothing yet\n")).singleElement()
			.satisfies(problem -> assertThat(problem.reason()).isEqualTo("expected a mapping"));
		ConfigRejectedException missing = catchThrowableOfType(ConfigRejectedException.class,
				() -> ResilienceConfigLoader
					.loadFiles(ConfigFiles.of("filters-conf", new TreeMap<>(), new TreeMap<>())));
		assertThat(missing.problems()).singleElement().satisfies(problem -> {
			assertThat(problem.file()).isEqualTo(FILE);
			assertThat(problem.reason()).isEqualTo("file not found");
		});
	}

}
