package io.cryoprotect.gateway.observability;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A request slower than its route's threshold (convex: 100 ms in the shared test gateway)
 * logs where its time went, with the phases every filter measured on the way.
 */
class SlowRequestIntegrationTests extends ObservabilityIntegrationTest {

	private static final Pattern PHASE = Pattern.compile("(\\w+Ms)=(-|\\d+)");

	@Test
	void aSlowValidatedRequestLogsEachPhaseItWentThrough() {
		CONVEX.slow(Duration.ofMillis(250));
		try (LogCapture log = new LogCapture("cryoprotect.slow")) {
			client().post()
				.uri("/convex/api/query")
				.header("X-Request-Id", "slow-convex")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"path\":\"molecules:listMolecules\",\"args\":{\"limit\":5},\"format\":\"json\"}")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.returnResult();
			// The line is written when the exchange completes, just after the client has
			// the response.
			String line = await().atMost(Duration.ofSeconds(5))
				.until(() -> log.messages().stream().filter(m -> m.contains("slow-convex")).findFirst(),
						java.util.Optional::isPresent)
				.orElseThrow();
			assertThat(line).contains("route=convex").contains("status=200");
			Matcher phases = PHASE.matcher(line);
			java.util.Map<String, String> values = new java.util.HashMap<>();
			while (phases.find()) {
				values.put(phases.group(1), phases.group(2));
			}
			assertThat(values).containsKeys("edgeMs", "identityMs", "rateLimitMs", "validationMs", "poolAcquireMs",
					"connectMs", "firstByteMs", "bodyMs");
			assertThat(values.get("rateLimitMs")).as("the shipped convex limit was checked").matches("\\d+");
			assertThat(values.get("validationMs")).as("the body was checked against its schema").matches("\\d+");
			assertThat(Long.parseLong(values.get("firstByteMs"))).isGreaterThanOrEqualTo(250);
			assertThat(values.get("identityMs")).as("no token sent").isEqualTo("-");
			assertThat(values.get("poolAcquireMs")).matches("\\d+");
			assertThat(values.get("connectMs")).as("a new connection, or a pooled one reused").matches("-|\\d+");
			assertThat(Long.parseLong(values.get("firstByteMs"))).as("first byte excludes pool and connect")
				.isLessThanOrEqualTo(Long.parseLong(line.replaceAll(".*durationMs=(\\d+).*", "$1")));
		}
	}

}
