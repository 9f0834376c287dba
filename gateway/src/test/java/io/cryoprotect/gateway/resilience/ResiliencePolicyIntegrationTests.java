package io.cryoprotect.gateway.resilience;

import java.time.Duration;

import io.cryoprotect.gateway.configfile.ConfigProblem;
import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped {@code resilience.yml} as operators get it: invalid edits are rejected
 * whole with file, key and value named; an RDKit cold start is waited for, not retried
 * and not held against the breaker; pools report their metrics.
 */
class ResiliencePolicyIntegrationTests extends GatewayIntegrationTest {

	@Autowired
	private ConfigReloader<ResilienceConfig> resilience;

	/**
	 * One rejection end to end: each way an edit is rejected is pinned by
	 * {@code ResilienceConfigLoaderTests}.
	 */
	@Test
	void invalidEditIsRejectedWithFileKeyAndValueAndTheLastGoodPolicyStaysLive() {
		String from = "responseTimeout: 30s";
		String message = "key 'presets.heavy-calculation.responseTimeout' value '30 seconds': not a duration, e.g. 250ms, 15s or 1m";
		String version = resilience.live().version();
		String original = FILTERS.original("resilience.yml");
		assertThat(original).contains(from);
		FILTERS.swap("resilience.yml", original.replace(from, "responseTimeout: 30 seconds"));
		resilience.reloadNow();
		assertThat(resilience.lastRejection().problems()).map(ConfigProblem::toString)
			.anySatisfy(text -> assertThat(text).startsWith(FILTERS.path() + "/resilience.yml").contains(message));
		assertThat(resilience.live().version()).isEqualTo(version);
		management().get()
			.uri("/actuator/health/readiness")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
	}

	@Test
	void rdkitColdStartIsWaitedForNotRetriedAndNotHeldAgainstTheBreaker() {
		RDKIT.slow(Duration.ofMillis(1500));
		client().post()
			.uri("/rdkit/calculate-properties")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"molecule_data\":\"OCC(O)CO\",\"input_format\":\"smiles\"}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		assertThat(RDKIT.count()).isEqualTo(1);
		management().get()
			.uri("/actuator/gatewayupstreams")
			.exchange()
			.expectBody()
			.jsonPath("$.breakers['rdkit/blue']")
			.isEqualTo("CLOSED");
	}

	@Test
	void upstreamPoolsReportActiveIdlePendingAndAcquireTime() {
		client().get().uri("/api/v1/molecules").exchange().expectStatus().isOk().expectBody().returnResult();
		String metrics = management().get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(metrics)
			.containsPattern("reactor_netty_connection_provider_active_connections\\{[^}]*name=\"flask-api/blue\"")
			.containsPattern("reactor_netty_connection_provider_idle_connections\\{[^}]*name=\"flask-api/blue\"")
			.containsPattern("reactor_netty_connection_provider_pending_connections\\{[^}]*name=\"flask-api/blue\"")
			.containsPattern(
					"reactor_netty_connection_provider_pending_connections_time_seconds_count\\{[^}]*name=\"flask-api/blue\"");
	}

}
