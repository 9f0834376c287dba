package io.cryoprotect.gateway.validation;

import java.util.List;
import java.util.Map;

import io.cryoprotect.gateway.configfile.ConfigProblem;
import io.cryoprotect.gateway.configfile.ConfigReloader;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * validation.yml and its schemas are hot-reloaded: a valid edit is live at once, an
 * invalid schema is rejected whole with file, key and value named, and the last good set
 * keeps validating while readiness stays UP.
 */
class ValidationReloadIntegrationTests extends ValidationIntegrationTest {

	private static final String SCHEMA = "schemas/molecule-import.json";

	@Test
	void editedSchemaIsLiveAfterReload() {
		postJson("/api/v1/molecules", "{\"cid\": 962}").expectStatus().isOk().expectBody().returnResult();
		publish(SCHEMA, FILTERS.original(SCHEMA).replace("\"maximum\": 2147483647", "\"maximum\": 100"));
		postJson("/api/v1/molecules", "{\"cid\": 962}").expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].message")
			.isEqualTo("must have a maximum value of 100");
		assertThat(FLASK_BLUE.count()).isEqualTo(1);
	}

	@Test
	void newEndpointInValidationYmlIsLiveAfterReload() {
		postJson("/api/v1/batch", "{}").expectStatus().isOk().expectBody().returnResult();
		editValidationYml("endpoints:\n", """
				endpoints:
				  - id: batch
				    route: flask-api
				    method: POST
				    path: /api/v1/batch
				    requestSchema: molecule-import.json
				""");
		postJson("/api/v1/batch", "{}").expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.endpoint")
			.isEqualTo("batch");
		assertThat(FLASK_BLUE.count()).isEqualTo(1);
	}

	@Test
	void invalidSchemaIsRejectedWholeAndTheLastGoodSetKeepsValidating() {
		ConfigReloader.Loaded<ValidationConfig> live = validation.live();
		FILTERS.swap(SCHEMA, FILTERS.original(SCHEMA).replace("\"minimum\": 1", "\"minimum\": \"one\""));
		validation.reloadNow();

		assertThat(validation.live()).isSameAs(live);
		assertThat(validation.lastRejection().problems()).map(ConfigProblem::toString)
			.containsExactly(FILTERS.path()
					+ "/schemas/molecule-import.json: key '/properties/cid/minimum' value 'one': string found, number expected",
					FILTERS.path() + "/validation.yml: key 'endpoints[1].requestSchema' value 'molecule-import.json': "
							+ "the schema file is invalid (see its own problems)");
		postJson("/api/v1/molecules", "{\"cid\": 0}").expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].message")
			.isEqualTo("must have a minimum value of 1");
		postJson("/api/v1/molecules", "{\"cid\": 962}").expectStatus().isOk().expectBody().returnResult();
		management().get()
			.uri("/actuator/health/readiness")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("UP");
	}

	@Test
	void rejectionIsShownOnTheStatusEndpointAndCounted() {
		String original = FILTERS.original("validation.yml");
		FILTERS.swap("validation.yml", original.replace("mode: shadow", "mode: shadowed"));
		long line = original.substring(0, original.indexOf("mode: shadow")).chars().filter(c -> c == '\n').count() + 1;
		validation.reloadNow();
		Map<?, ?> status = management().get()
			.uri("/actuator/gatewayconfig")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(Map.class)
			.returnResult()
			.getResponseBody();
		Map<?, ?> problem = (Map<?, ?>) ((List<?>) ((Map<?, ?>) ((Map<?, ?>) status.get("validation"))
			.get("lastRejection")).get("problems")).get(0);
		assertThat(problem.get("file")).isEqualTo(FILTERS.path() + "/validation.yml:" + line);
		assertThat(problem.get("key")).isEqualTo("endpoints[3].mode");
		assertThat(problem.get("value")).isEqualTo("shadowed");
		assertThat(problem.get("reason")).isEqualTo("expected one of [off, shadow, enforce]");
		String metrics = management().get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(metrics)
			.containsPattern("gateway_config_reloads_total\\{config=\"validation\",result=\"rejected\"\\} [1-9]")
			.containsPattern("gateway_config_reloads_total\\{config=\"validation\",result=\"applied\"\\} [1-9]")
			.contains("gateway_config_rejected{config=\"validation\"} 1.0");
	}

}
