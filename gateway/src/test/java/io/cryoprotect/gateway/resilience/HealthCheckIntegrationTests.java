package io.cryoprotect.gateway.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import io.cryoprotect.gateway.support.Scrape;
import io.cryoprotect.gateway.support.TestUpstreams;
import io.cryoprotect.gateway.support.Traffic;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Active health checks eject an unhealthy colour from the pick while another colour is
 * healthy, put it back when it recovers, hand the traffic to the route's fallback when no
 * weighted colour is healthy, and fail fast when no colour at all is.
 */
class HealthCheckIntegrationTests extends GatewayIntegrationTest {

	@Autowired
	private ConfigReloader<ResilienceConfig> resilience;

	@Autowired
	private ActiveHealthChecks healthChecks;

	@Autowired
	private MeterRegistry meters;

	private Scrape scrape() {
		return new Scrape(management().get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody());
	}

	@BeforeEach
	void probeEvery100msAndSplitFlaskEvenly() {
		String policies = FILTERS.original("resilience.yml")
			.replace("      interval: 5s", "      interval: 100ms")
			.replace("      healthyThreshold: 2", "      healthyThreshold: 1")
			.replace("      unhealthyThreshold: 3", "      unhealthyThreshold: 1");
		assertThat(policies).contains("interval: 100ms");
		FILTERS.swap("resilience.yml", policies);
		resilience.reloadNow();
		ROUTES.swap("flask-api.yml",
				ROUTES.original("flask-api.yml")
					.replace("sticky: user", "sticky: none")
					.replace("weight: 100", "weight: 50")
					.replace("weight: 0", "weight: 50"));
		reloader.reloadNow();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> "HEALTHY".equals(healthChecks.verdicts().get("flask-api/green")));
	}

	/**
	 * Probes still every 100 ms: every colour passes again before the next test, or the
	 * shipped probes take seconds.
	 */
	@AfterEach
	void everyColourHealthyAgain() {
		TestUpstreams.resetAll();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> healthChecks.isHealthy("flask-api", "blue") && healthChecks.isHealthy("flask-api", "green"));
	}

	@Test
	void deadStandbyPairCostsNoErrorsWhenTheProbesEjectBlue() {
		// The shipped split: blue takes everything, green idles at weight 0 as the
		// flask-api fallback.
		ROUTES.swap("flask-api.yml", ROUTES.original("flask-api.yml"));
		reloader.reloadNow();
		assertThat(FILTERS.original("resilience.yml")).contains("fallback: {colour: green}");
		Scrape before = scrape();
		FLASK_BLUE.down();
		List<String> answers = new ArrayList<>();
		// Before the probes notice, refused connections go to green at once; after, the
		// pick hands blue's share over.
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			answers.add(upstreamOf("/api/v1/molecules"));
			return !healthChecks.isHealthy("flask-api", "blue");
		});
		try (Traffic traffic = new Traffic(port, 8)) {
			answers.addAll(traffic.get("/api/v1/molecules", 100, 8)
				.stream()
				.map(o -> o.status() + " " + o.upstream())
				.toList());
		}
		assertThat(answers).hasSizeGreaterThan(100).containsOnly("200 flask-green");
		management().get()
			.uri("/actuator/gatewayupstreams")
			.exchange()
			.expectBody()
			.jsonPath("$.health['flask-api/blue']")
			.isEqualTo("UNHEALTHY")
			.jsonPath("$.health['flask-api/green']")
			.isEqualTo("HEALTHY")
			.jsonPath("$.breakers['flask-api/green']")
			.isEqualTo("CLOSED")
			.jsonPath("$.fallbacks['flask-api'].upstream")
			.isEqualTo("flask-api/green")
			.jsonPath("$.fallbacks['flask-api'].state")
			.isEqualTo("active");
		assertThat(scrape()
			.value("gateway_fallbacks_total{fallback=\"flask-api/green\",reason=\"unhealthy\","
					+ "route=\"flask-api\",upstream=\"flask-api/blue\"}")
				- before.value("gateway_fallbacks_total{fallback=\"flask-api/green\",reason=\"unhealthy\","
						+ "route=\"flask-api\",upstream=\"flask-api/blue\"}"))
			.isGreaterThanOrEqualTo(100);

		FLASK_BLUE.up(null);
		await().atMost(Duration.ofSeconds(10)).until(() -> healthChecks.isHealthy("flask-api", "blue"));
		assertThat(upstreamOf("/api/v1/molecules")).isEqualTo("200 flask-blue");
		management().get()
			.uri("/actuator/gatewayupstreams")
			.exchange()
			.expectBody()
			.jsonPath("$.fallbacks['flask-api'].state")
			.isEqualTo("standby");
	}

	@Test
	void ejectedBlueWithAnUnhealthyFallbackFailsFastWith503() {
		ROUTES.swap("flask-api.yml", ROUTES.original("flask-api.yml"));
		reloader.reloadNow();
		FLASK_BLUE.health(500);
		FLASK_GREEN.health(500);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> !healthChecks.isHealthy("flask-api", "green") && !healthChecks.isHealthy("flask-api", "blue"));
		client().get()
			.uri("/api/v1/molecules")
			.exchange()
			.expectStatus()
			.isEqualTo(503)
			.expectHeader()
			.valueEquals("Retry-After", "5")
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://cryoprotect.io/problems/no-healthy-upstream");
		assertThat(FLASK_BLUE.count() + FLASK_GREEN.count()).isZero();
		management().get()
			.uri("/actuator/gatewayupstreams")
			.exchange()
			.expectBody()
			.jsonPath("$.fallbacks['flask-api'].state")
			.isEqualTo("unavailable");
	}

	@Test
	void unhealthyColourGetsNoTrafficUntilItRecovers() {
		FLASK_GREEN.health(503);
		await().atMost(Duration.ofSeconds(10)).until(() -> !healthChecks.isHealthy("flask-api", "green"));
		management().get()
			.uri("/actuator/gatewayupstreams")
			.exchange()
			.expectBody()
			.jsonPath("$.health['flask-api/green']")
			.isEqualTo("UNHEALTHY")
			.jsonPath("$.health['flask-api/blue']")
			.isEqualTo("HEALTHY");
		try (Traffic traffic = new Traffic(port, 8)) {
			Map<String, Long> split = Traffic.byUpstream(traffic.get("/api/v1/molecules", 200, 8));
			assertThat(split).containsOnlyKeys("flask-blue").containsEntry("flask-blue", 200L);
		}
		String metrics = management().get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(metrics).contains("gateway_upstream_healthy{upstream=\"flask-api/green\"} 0.0");

		FLASK_GREEN.health(207);
		await().atMost(Duration.ofSeconds(10)).until(() -> healthChecks.isHealthy("flask-api", "green"));
		try (Traffic traffic = new Traffic(port, 8)) {
			List<Traffic.Outcome> outcomes = traffic.get("/api/v1/molecules", 200, 8);
			assertThat(Traffic.byUpstream(outcomes)).containsKeys("flask-blue", "flask-green");
		}
	}

	@Test
	void colourDeletedFromTheRouteFileLeavesNoHealthSeries() {
		String green = "      green:\n        uri: ${FLASK_GREEN_URL:http://127.0.0.1:9102}\n        weight: 0\n";
		assertThat(ROUTES.original("flask-api.yml")).contains(green);
		assertThat(scrape().series("gateway_upstream_healthy"))
			.contains("gateway_upstream_healthy{upstream=\"flask-api/green\"}");

		ROUTES.swap("flask-api.yml", ROUTES.original("flask-api.yml").replace(green, ""));
		reloader.reloadNow();
		// The probes follow the routes once the gateway has refreshed them.
		await().atMost(Duration.ofSeconds(10)).until(() -> !healthChecks.verdicts().containsKey("flask-api/green"));

		assertThat(healthChecks.verdicts()).containsKey("flask-api/blue");
		assertThat(meters.find("gateway.upstream.healthy").tag("upstream", "flask-api/green").gauge()).isNull();
		assertThat(meters.find("gateway.upstream.healthy").tag("upstream", "flask-api/blue").gauge()).isNotNull();
		assertThat(scrape().series("gateway_upstream_healthy"))
			.doesNotContain("gateway_upstream_healthy{upstream=\"flask-api/green\"}")
			.contains("gateway_upstream_healthy{upstream=\"flask-api/blue\"}");
	}

	@Test
	void noHealthyColourFailsFastWith503() {
		FLASK_BLUE.health(500);
		FLASK_GREEN.health(500);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> !healthChecks.isHealthy("flask-api", "green") && !healthChecks.isHealthy("flask-api", "blue"));
		client().get()
			.uri("/api/v1/molecules")
			.exchange()
			.expectStatus()
			.isEqualTo(503)
			.expectHeader()
			.exists("Retry-After")
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo("No colour of the flask-api service is passing its health check.")
			.jsonPath("$.type")
			.isEqualTo("https://cryoprotect.io/problems/no-healthy-upstream");
		assertThat(FLASK_BLUE.count() + FLASK_GREEN.count()).isZero();
	}

}
