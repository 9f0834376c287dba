package io.cryoprotect.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * The class-data-sharing training run ({@code -XX:ArchiveClassesAtExit}) of the Docker
 * image and {@code bench/run}: with {@code -Dgateway.cds-training=true}, once the gateway
 * accepts traffic it sends one routed request and one liveness probe to itself and exits.
 * The archive then holds what a real start loads up to readiness (the route and policy
 * files, the servers, a request's path), where Spring's
 * {@code -Dspring.context.exit=onRefresh} stops before any lifecycle starts: measured,
 * the start from this archive took about a fifth less CPU. The request's answer does not
 * matter (at image build time no upstream is reachable, so it is a 502 or 503 problem).
 */
final class CdsTraining implements ApplicationListener<AvailabilityChangeEvent<?>> {

	static final String PROPERTY = "gateway.cds-training";

	private static final Log logger = LogFactory.getLog(CdsTraining.class);

	@Override
	public void onApplicationEvent(AvailabilityChangeEvent<?> event) {
		if (event.getState() != ReadinessState.ACCEPTING_TRAFFIC || !Boolean.getBoolean(PROPERTY)
				|| !(event.getSource() instanceof ConfigurableApplicationContext context)) {
			return;
		}
		Environment environment = context.getEnvironment();
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
		request(http, "http://127.0.0.1:" + environment.getProperty("local.server.port") + "/api/v1/molecules");
		String management = environment.getProperty("local.management.port");
		if (management != null) {
			request(http, "http://127.0.0.1:" + management + "/actuator/health/liveness");
		}
		System.exit(SpringApplication.exit(context));
	}

	private static void request(HttpClient http, String url) {
		try {
			HttpResponse<Void> response = http.send(
					HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
					HttpResponse.BodyHandlers.discarding());
			logger.info("CDS training: GET " + url + " answered " + response.statusCode());
		}
		catch (IOException ex) {
			logger.warn("CDS training: GET " + url + " failed: " + ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
