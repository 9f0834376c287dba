package io.cryoprotect.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.cryoprotect.gateway.configfile.ConfigReloader;
import io.cryoprotect.gateway.resilience.ResilienceState;
import io.cryoprotect.gateway.routing.RouteConfig;
import org.junit.jupiter.api.AfterEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Base of the integration tests: one running gateway (one Spring context, shared by every
 * subclass through the context cache) in front of real stub upstreams on loopback,
 * reading route files from a ConfigMap-shaped temp directory.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "gateway.drain.delay=0s", "gateway.routing.poll-interval=100ms",
				"gateway.edge.max-body-size=64KB", "gateway.resilience.retry-buffer.max-bytes=80KB",
				"gateway.edge.max-header-size=8KB", "gateway.edge.max-header-count=40",
				"gateway.edge.max-url-length=2048", "gateway.identity.jwt.hmac-secret=" + TestTokens.HMAC_SECRET,
				"gateway.identity.authenticated-endpoints=" + GatewayIntegrationTest.AUTHENTICATED,
				"gateway.observability.slow-request.routes.convex=100ms",
				"gateway.websocket.max-connections-per-caller=" + GatewayIntegrationTest.WEBSOCKETS_PER_CALLER,
				"gateway.websocket.max-connections=" + GatewayIntegrationTest.WEBSOCKETS })
public abstract class GatewayIntegrationTest {

	/**
	 * The endpoint that needs a token in these tests, chosen so no other test's requests
	 * need one.
	 */
	protected static final String AUTHENTICATED = "POST /api/v1/mixtures/{id}/predictions";

	/** Open WebSockets per caller, and in total, in these tests. */
	protected static final int WEBSOCKETS_PER_CALLER = 2;

	protected static final int WEBSOCKETS = 3;

	protected static final StubUpstream FLASK_BLUE = TestUpstreams.FLASK_BLUE;

	protected static final StubUpstream FLASK_GREEN = TestUpstreams.FLASK_GREEN;

	protected static final StubUpstream RDKIT = TestUpstreams.RDKIT;

	protected static final StubUpstream CONVEX = TestUpstreams.CONVEX;

	protected static final TestConfigDir ROUTES = new TestConfigDir("routes");

	/**
	 * The shipped policies, rate limits in shadow mode (this gateway's tests send far
	 * more than 20 requests a minute from one address; rate-limit tests swap in their own
	 * limits) and every response checked against its schema, not a sample.
	 */
	protected static final TestConfigDir FILTERS = new TestConfigDir("filters-conf", Map.of("ratelimits.yml",
			TestConfigDir.SHADOW_RATE_LIMITS, "validation.yml", TestConfigDir.CHECK_EVERY_RESPONSE));

	/**
	 * HTTP/1.1 only (not the JDK client's default HTTP/2 upgrade attempt on cleartext),
	 * with a timeout so a stalled connection fails loudly.
	 */
	private static final HttpClient PLAIN_CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@LocalServerPort
	protected int port;

	@LocalManagementPort
	protected int managementPort;

	@Autowired
	protected ConfigReloader<RouteConfig> reloader;

	@Autowired
	private List<ConfigReloader<?>> allReloaders;

	@Autowired
	private ApplicationContext context;

	@DynamicPropertySource
	static void upstreams(DynamicPropertyRegistry registry) {
		TestUpstreams.register(registry);
		registry.add("gateway.routing.dir", ROUTES::path);
		registry.add("gateway.filters-conf.dir", FILTERS::path);
	}

	/**
	 * Back to the shipped files and fresh breakers and retry budgets: no test inherits
	 * another's failures.
	 */
	@AfterEach
	void restoreRoutesAndStubs() {
		ROUTES.restore();
		FILTERS.restore();
		allReloaders.forEach(ConfigReloader::reloadNow);
		ResilienceState.reset(context);
		TestUpstreams.resetAll();
	}

	protected WebTestClient client() {
		return WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + port)
			.responseTimeout(Duration.ofSeconds(10))
			.build();
	}

	/**
	 * The upstream that answered a GET of {@code path}, read with a client that keeps no
	 * Netty buffers.
	 */
	protected String upstreamOf(String path) {
		try {
			HttpResponse<Void> response = PLAIN_CLIENT
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
					.timeout(Duration.ofSeconds(3))
					.build(), HttpResponse.BodyHandlers.discarding());
			return response.statusCode() + " " + response.headers().firstValue("X-Upstream").orElse("-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	protected WebTestClient management() {
		return WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + managementPort)
			.responseTimeout(Duration.ofSeconds(10))
			.build();
	}

}
