package io.cryoprotect.gateway.resilience;

import java.time.Duration;

import io.cryoprotect.gateway.configfile.ConfigProblem;
import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|',
			textBlock = """
					unknown preset  | preset: heavy-calculation           | preset: heavy-calc                  | key 'routes.rdkit.preset' value 'heavy-calc': must name one of the presets [read, write, heavy-calculation]
					bad duration    | responseTimeout: 30s                | responseTimeout: 30 seconds         | key 'presets.heavy-calculation.responseTimeout' value '30 seconds': not a duration, e.g. 250ms, 15s or 1m
					bad retry cond. | retryOn: [connect-failure]          | retryOn: [connect-failure, 404]     | key 'presets.heavy-calculation.retry.retryOn' value '404': expected connect-failure, reset, timeout or a status code from 500 to 599
					ratio > 1       | ratio: 0.2                          | ratio: 2.0                          | key 'upstreams.defaults.retryBudget.ratio' value '2.0': must be between 0.0 and 1.0 (share of requests that may be retried)
					unknown key     | maxIdleTime: 1500ms                 | maxIdelTime: 1500ms                 | key 'upstreams.defaults.pool.maxIdelTime' value 'maxIdelTime': unknown key
					""")
	void invalidEditIsRejectedWithFileKeyAndValueAndTheLastGoodPolicyStaysLive(String kind, String from, String to,
			String message) {
		String version = resilience.live().version();
		String original = FILTERS.original("resilience.yml");
		assertThat(original).contains(from);
		FILTERS.swap("resilience.yml", original.replace(from, to));
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
