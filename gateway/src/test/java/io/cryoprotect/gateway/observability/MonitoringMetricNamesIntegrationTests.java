package io.cryoprotect.gateway.observability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cryoprotect.gateway.support.Scrape;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every metric the dashboard and the alert rules use is one the running gateway really
 * exports.
 */
class MonitoringMetricNamesIntegrationTests extends ObservabilityIntegrationTest {

	private static final Path MONITORING = Path.of("..", "k8s", "monitoring");

	private static final Pattern METRIC = Pattern.compile("\\b(?:gateway|reactor_netty)_[a-z_]+\\b");

	@Test
	void dashboardAndAlertRulesUseOnlyExportedMetrics() throws IOException {
		client().get().uri("/api/v1/molecules").exchange().expectStatus().isOk().expectBody().returnResult();
		client().get().uri("/nowhere").exchange().expectStatus().isNotFound().expectBody().returnResult();
		FLASK_BLUE.burst(503, 1, null);
		client().get().uri("/api/v1/molecules").exchange().expectStatus().isOk().expectBody().returnResult();
		Set<String> exported = new Scrape(management().get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody()).names();

		Set<String> dashboard = metricNames(Files.readString(MONITORING.resolve("gateway-dashboard.json")));
		Set<String> alerts = metricNames(Files.readString(MONITORING.resolve("gateway-alerts.yml")));
		assertThat(dashboard).contains("gateway_requests_seconds_bucket", "gateway_circuit_breaker_state",
				"gateway_config_reloads_total", "reactor_netty_connection_provider_active_connections");
		assertThat(alerts).contains("gateway_requests_seconds_count", "gateway_upstream_healthy",
				"gateway_config_rejected", "gateway_ratelimit_backend_degraded");

		Set<String> used = new TreeSet<>(dashboard);
		used.addAll(alerts);
		assertThat(exported).containsAll(used);
	}

	private static Set<String> metricNames(String text) {
		Set<String> names = new TreeSet<>();
		Matcher matcher = METRIC.matcher(text);
		while (matcher.find()) {
			names.add(matcher.group());
		}
		return names;
	}

}
