package io.cryoprotect.gateway.routing;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RDKit's own {@code /health} and {@code /rdkit-check}, which {@code /rdkit/<op>} (mapped
 * to {@code /api/<op>}) cannot reach, are served by the second route of
 * {@code rdkit.yml}: no key, no token, no rate limit.
 */
class RdkitHealthIntegrationTests extends GatewayIntegrationTest {

	@Autowired
	private List<ConfigReloader<?>> reloaders;

	@Test
	void healthAndRdkitCheckReachTheServicesOwnPaths() {
		client().get()
			.uri("/rdkit/health")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("X-Upstream", "rdkit")
			// The stub's own health answer, which only its /health gives.
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("healthy");
		client().get()
			.uri("/rdkit/rdkit-check")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.upstream")
			.isEqualTo("rdkit");
		assertThat(RDKIT.last().method()).isEqualTo("GET");
		assertThat(RDKIT.last().uri()).isEqualTo("/rdkit-check");
	}

	@Test
	void healthIsNeverRateLimitedWhileTheCalculationsAre() {
		ConfigReloader<?> rateLimits = reloaders.stream()
			.filter(r -> r.name().equals("ratelimits"))
			.findFirst()
			.orElseThrow();
		long rejected = rateLimits.rejectedCount();
		// The shipped limits, enforced: per caller 20/min, RDKit's searches 5/min.
		FILTERS.swap("ratelimits.yml",
				FILTERS.original("ratelimits.yml").replaceFirst("(?m)^mode: shadow$", "mode: enforce"));
		rateLimits.reloadNow();
		assertThat(rateLimits.rejectedCount()).isEqualTo(rejected);
		WebTestClient caller = from("127.0.0.61");
		for (int i = 0; i < 25; i++) {
			caller.get()
				.uri(i % 2 == 0 ? "/rdkit/health" : "/rdkit/rdkit-check")
				.exchange()
				.expectStatus()
				.isOk()
				.expectHeader()
				.doesNotExist("RateLimit")
				.expectBody()
				.returnResult();
		}
		int status = 200;
		for (int i = 0; i < 6 && status == 200; i++) {
			status = caller.post()
				.uri("/rdkit/similarity")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"mol1_data\":\"OCC(O)CO\",\"mol2_data\":\"CS(=O)C\"}")
				.exchange()
				.expectBody()
				.returnResult()
				.getStatus()
				.value();
		}
		assertThat(status).as("the same caller's searches are limited").isEqualTo(429);
	}

	private WebTestClient from(String address) {
		HttpClient http = HttpClient.create().bindAddress(() -> new InetSocketAddress(address, 0));
		return WebTestClient.bindToServer(new ReactorClientHttpConnector(http))
			.baseUrl("http://127.0.0.1:" + port)
			.responseTimeout(Duration.ofSeconds(10))
			.build();
	}

}
