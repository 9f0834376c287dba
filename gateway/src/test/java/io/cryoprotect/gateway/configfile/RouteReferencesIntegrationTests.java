package io.cryoprotect.gateway.configfile;

import java.util.List;
import java.util.Map;

import io.cryoprotect.gateway.observability.LogCapture;
import io.cryoprotect.gateway.resilience.ResilienceConfig;
import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Route ids named in the policy files must exist in routes/, checked with real reloads of
 * both directories: a policy naming an unknown route is rejected whole until the route
 * lands, and a route removal that leaves a live policy naming it applies and is reported,
 * once. A rename converges whichever side lands first.
 */
class RouteReferencesIntegrationTests extends GatewayIntegrationTest {

	private static final String RDKIT = "rdkit.yml";

	private static final String RESILIENCE = "resilience.yml";

	@Autowired
	private ConfigReloader<ResilienceConfig> resilience;

	private static String renamedRoute() {
		return ROUTES.original(RDKIT).replace("id: rdkit-health", "id: rdkit-probe");
	}

	private static String renamedPolicy() {
		return FILTERS.original(RESILIENCE).replace("\n  rdkit-health:\n", "\n  rdkit-probe:\n");
	}

	@Test
	void aPolicyNamingARouteNotYetInRoutesIsRejectedThenAppliesWhenTheRouteLands() {
		ConfigReloader.Loaded<ResilienceConfig> live = resilience.live();
		FILTERS.swap(RESILIENCE, renamedPolicy());
		resilience.reloadNow();

		assertThat(resilience.live()).isSameAs(live);
		assertThat(resilience.lastRejection().problems()).map(ConfigProblem::toString)
			.containsExactly(FILTERS.path()
					+ "/resilience.yml: key 'routes.rdkit-probe' value 'rdkit-probe': no route with this id in routes/");
		assertThat(status("resilience").get("lastRejection")).isNotNull();

		ROUTES.swap(RDKIT, renamedRoute());
		reloader.reloadNow();

		assertThat(resilience.live()).isNotSameAs(live);
		assertThat(resilience.live().value().routes()).containsKey("rdkit-probe").doesNotContainKey("rdkit-health");
		assertThat(resilience.orphanedRouteReferences()).isEmpty();
		assertThat(metrics()).contains("gateway_config_rejected{config=\"resilience\"} 0.0");
	}

	@Test
	void anUpstreamSectionNamingNoRouteFileIsRejected() {
		ConfigReloader.Loaded<ResilienceConfig> live = resilience.live();
		FILTERS.swap(RESILIENCE,
				FILTERS.original(RESILIENCE).replace("\n  rdkit:\n    breaker:", "\n  rdkitt:\n    breaker:"));
		resilience.reloadNow();

		assertThat(resilience.live()).isSameAs(live);
		assertThat(resilience.lastRejection().problems()).map(ConfigProblem::toString)
			.containsExactly(FILTERS.path()
					+ "/resilience.yml: key 'upstreams.rdkitt' value 'rdkitt': no route file of this name in routes/");
	}

	@Test
	void aRouteRemovalThatOrphansALivePolicyAppliesAndIsReportedOnceUntilThePolicyFollows() {
		ConfigReloader.Loaded<ResilienceConfig> live = resilience.live();
		long rejected = reloader.rejectedCount();
		try (LogCapture log = new LogCapture(ConfigReloader.class.getName())) {
			ROUTES.swap(RDKIT, renamedRoute());
			reloader.reloadNow();
			ROUTES.swap(RDKIT, renamedRoute().replace("owner: cryoprotect-chemistry", "owner: someone-else"));
			reloader.reloadNow();

			assertThat(reloader.rejectedCount()).isEqualTo(rejected);
			assertThat(reloader.live().value().routes())
				.anySatisfy(route -> assertThat(route.spec().id()).isEqualTo("rdkit-probe"));
			assertThat(resilience.live()).isSameAs(live);
			String orphan = FILTERS.path()
					+ "/resilience.yml: key 'routes.rdkit-health' value 'rdkit-health': no route with this id in routes/";
			assertThat(resilience.orphanedRouteReferences()).map(ConfigProblem::toString).containsExactly(orphan);
			List<?> reported = (List<?>) status("resilience").get("orphanedRouteReferences");
			assertThat(reported).singleElement()
				.satisfies(problem -> assertThat(((Map<?, ?>) problem).get("message")).isEqualTo(orphan));
			assertThat(log.messages()).filteredOn(message -> message.contains("no longer exist"))
				.singleElement()
				.satisfies(message -> assertThat(message).contains("Config 'resilience'").contains(orphan));
		}

		FILTERS.swap(RESILIENCE, renamedPolicy());
		resilience.reloadNow();

		assertThat(resilience.live().value().routes()).containsKey("rdkit-probe");
		assertThat(resilience.orphanedRouteReferences()).isEmpty();
		assertThat((List<?>) status("resilience").get("orphanedRouteReferences")).isEmpty();
	}

	private Map<?, ?> status(String config) {
		Map<?, ?> status = management().get()
			.uri("/actuator/gatewayconfig")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(Map.class)
			.returnResult()
			.getResponseBody();
		return (Map<?, ?>) status.get(config);
	}

	private String metrics() {
		return management().get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
	}

}
