package io.cryoprotect.gateway.ops;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import io.cryoprotect.gateway.support.StubUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code smoke} against the shared test gateway and its stub upstreams, in-process. */
class SmokeCommandIntegrationTests extends GatewayIntegrationTest {

	@TempDir
	Path temp;

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	@Autowired
	private List<ConfigReloader<?>> reloaders;

	private int smoke(String... extra) {
		List<String> args = new ArrayList<>(List.of("--base-url", "http://127.0.0.1:" + port, "--management-url",
				"http://127.0.0.1:" + managementPort, "--routes", ROUTES.path(), "--filters-conf", FILTERS.path(),
				"--report", temp.resolve("smoke-report.xml").toString()));
		args.addAll(List.of(extra));
		PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);
		return SmokeCommand.run(args, stream, stream);
	}

	private String output() {
		return out.toString(StandardCharsets.UTF_8);
	}

	private Document report() throws Exception {
		return DocumentBuilderFactory.newInstance()
			.newDocumentBuilder()
			.parse(temp.resolve("smoke-report.xml").toFile());
	}

	@Test
	void aHealthyGatewayPassesEveryCheck() throws Exception {
		int exitCode = smoke();

		assertThat(exitCode).as(output()).isZero();
		assertThat(output()).containsPattern("smoke passed: \\d+ checks, 0 failed")
			// The test gateway's limits are in shadow mode, which sends no RateLimit
			// headers.
			.contains("SKIPPED RateLimit headers present: no rate limit in enforce mode");
		Document report = report();
		assertThat(report.getElementsByTagName("failure").getLength()).isZero();
		List<String> names = new ArrayList<>();
		for (int i = 0; i < report.getElementsByTagName("testcase").getLength(); i++) {
			names.add(report.getElementsByTagName("testcase")
				.item(i)
				.getAttributes()
				.getNamedItem("name")
				.getNodeValue());
		}
		assertThat(names)
			.contains("readiness UP", "route flask-api answers GET /api/v1/molecules",
					"route rdkit-health answers GET /rdkit/health", "request id echoed", "RateLimit headers present",
					"unknown path answered 404", "weighted upstream colours healthy")
			.anyMatch(name -> name.startsWith("route rdkit answers POST /rdkit/"))
			.anyMatch(name -> name.startsWith("route convex answers POST /convex/api/"))
			.anyMatch(name -> name.startsWith("invalid body answered 400 with errors[]"));
	}

	/**
	 * With a limit enforced (generous, so nothing is refused), the RateLimit check runs
	 * rather than being skipped.
	 */
	@Test
	void enforcedLimitsHaveTheirHeadersChecked() {
		FILTERS.swap("ratelimits.yml", """
				mode: enforce
				tiers:
				  basic: {}
				limits:
				  smoke-generous:
				    default: true
				    match:
				      routes: [flask-api, rdkit]
				    key: caller
				    rates: [100000/min]
				""");
		reloaders.forEach(ConfigReloader::reloadNow);

		int exitCode = smoke();

		assertThat(exitCode).as(output()).isZero();
		assertThat(output()).doesNotContain("SKIPPED RateLimit").containsPattern("smoke passed: \\d+ checks, 0 failed");
	}

	@Test
	void aGatewayWhoseRdkitIsDownFailsNamingTheCheckAndPostsToTheWebhook() throws Exception {
		RDKIT.down();
		try (StubUpstream webhook = new StubUpstream("webhook")) {
			int exitCode = smoke("--webhook", webhook.url() + "/hooks/smoke");

			assertThat(exitCode).as(output()).isEqualTo(1);
			assertThat(output()).contains("FAILED route rdkit-health answers GET /rdkit/health: answered 50")
				.containsPattern("smoke FAILED: \\d+ checks, [1-9]\\d* failed");
			assertThat(report().getElementsByTagName("failure").getLength()).isPositive();
			assertThat(webhook.received()).hasSize(1);
			String text = JsonMapper.shared().readTree(webhook.last().bodyText()).get("text").asString();
			assertThat(text).contains("smoke FAILED").contains("route rdkit-health");
		}
	}

	@Test
	void missingRequiredOptionsAreAUsageError() throws Exception {
		PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);

		assertThat(SmokeCommand.run(List.of("--base-url", "http://127.0.0.1:" + port), stream, stream)).isEqualTo(2);
		assertThat(output()).contains("option --management-url is required");
		assertThat(Files.exists(temp.resolve("smoke-report.xml"))).isFalse();
	}

}
