package io.cryoprotect.gateway.validation;

import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared gateway of the integration tests, plus what validation tests need: counters
 * and live edits.
 */
abstract class ValidationIntegrationTest extends GatewayIntegrationTest {

	@Autowired
	protected ConfigReloader<ValidationConfig> validation;

	@Autowired
	protected MeterRegistry meters;

	protected WebTestClient.ResponseSpec postJson(String path, String body) {
		return client().post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
	}

	/** {@code gateway_validation_requests_total{route,endpoint,outcome}} now. */
	protected double requests(String route, String endpoint, String outcome) {
		Counter counter = meters.find("gateway.validation.requests")
			.tags("route", route, "endpoint", endpoint, "outcome", outcome)
			.counter();
		return counter == null ? 0 : counter.count();
	}

	/** {@code gateway_validation_response_violations_total{route,endpoint}} now. */
	protected double responseViolations(String route, String endpoint) {
		Counter counter = meters.find("gateway.validation.response.violations")
			.tags("route", route, "endpoint", endpoint)
			.counter();
		return counter == null ? 0 : counter.count();
	}

	/**
	 * Publishes an edit of the shipped validation.yml and applies it now; the base class
	 * restores it.
	 */
	protected void editValidationYml(String from, String to) {
		String original = FILTERS.original(ValidationConfigLoader.FILE);
		assertThat(original).as("the edit must apply").contains(from);
		publish(ValidationConfigLoader.FILE, original.replace(from, to));
	}

	/**
	 * Publishes new content for a file of filters-conf/ and applies it now, asserting it
	 * was accepted.
	 */
	protected void publish(String file, String content) {
		long applied = validation.appliedCount();
		long rejected = validation.rejectedCount();
		FILTERS.swap(file, content);
		validation.reloadNow();
		assertThat(validation.rejectedCount()).as("rejected: %s", validation.lastRejection()).isEqualTo(rejected);
		assertThat(validation.appliedCount()).isEqualTo(applied + 1);
	}

}
