package io.cryoprotect.gateway.k8s;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each alert of {@code k8s/monitoring/gateway-alerts.yml} links its own runbook page,
 * {@code docs/runbooks/<alert>.md} on the main branch, and that page exists; no page is
 * left without its alert. A renamed alert or a moved page fails here instead of sending
 * on-call to a dead link.
 */
class AlertRunbooksTests {

	private static final Path ROOT = Path.of("..");

	private static final Path RUNBOOKS = ROOT.resolve("docs/runbooks");

	private static final String BASE_URL = "https://github.com/cryoprotect/gateway/blob/main/";

	@Test
	void everyAlertLinksItsOwnRunbookPage() throws IOException {
		List<String> alerts = new ArrayList<>();
		JsonNode rules = YAMLMapper.builder()
			.build()
			.readTree(Files.readString(ROOT.resolve("k8s/monitoring/gateway-alerts.yml")));
		for (JsonNode group : rules.path("groups")) {
			for (JsonNode rule : group.path("rules")) {
				String alert = rule.path("alert").asString();
				String page = "docs/runbooks/" + alert + ".md";
				assertThat(rule.at("/annotations/runbook_url").asString()).as(alert).isEqualTo(BASE_URL + page);
				assertThat(ROOT.resolve(page)).as(alert).isRegularFile();
				assertThat(Files.readString(ROOT.resolve(page))).as(page).startsWith("# " + alert + "\n");
				alerts.add(alert + ".md");
			}
		}
		assertThat(alerts).isNotEmpty();
		try (Stream<Path> pages = Files.list(RUNBOOKS)) {
			assertThat(pages.map(page -> page.getFileName().toString())).as("runbook pages of no alert")
				.containsExactlyInAnyOrderElementsOf(alerts);
		}
	}

}
