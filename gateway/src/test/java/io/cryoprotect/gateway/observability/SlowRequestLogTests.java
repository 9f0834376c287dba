package io.cryoprotect.gateway.observability;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import io.cryoprotect.gateway.edge.ManagementPort;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests over their route's threshold get one WARN line with the phases that were
 * measured.
 */
class SlowRequestLogTests {

	private ObservabilityWebFilter filter(Duration threshold, Map<String, Duration> routes) {
		return new ObservabilityWebFilter(new RequestMetrics(new SimpleMeterRegistry()),
				new AccessLog(new ObservabilityProperties.AccessLog(false, 1.0, null)),
				new ErrorGroups(Clock.systemUTC(), new ObservabilityProperties.ErrorGroups(null, null, null)),
				new ObservabilityProperties.SlowRequest(threshold, routes), Clock.systemUTC(), new ManagementPort());
	}

	@Test
	void slowRequestIsLoggedWithPhasesAndAbsentOnesMarked() {
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/api/v1/x"));
		try (LogCapture log = new LogCapture("cryoprotect.slow")) {
			filter(Duration.ZERO, Map.of()).filter(exchange, next -> {
				RequestTrace.record(next, RequestTrace.Phase.RATE_LIMIT, Duration.ofMillis(7).toNanos());
				RequestTrace.record(next, RequestTrace.Phase.VALIDATION, Duration.ofMillis(30).toNanos());
				return Mono.empty();
			}).block();
			assertThat(log.messages()).singleElement()
				.asString()
				.startsWith("Slow request ")
				.contains("route=none")
				.contains("rateLimitMs=7")
				.contains("validationMs=30")
				.contains("identityMs=-")
				.contains("connectMs=-");
		}
	}

	@Test
	void requestUnderItsRouteThresholdIsNotLogged() {
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/api/v1/x"));
		try (LogCapture log = new LogCapture("cryoprotect.slow")) {
			filter(Duration.ZERO, Map.of("none", Duration.ofMinutes(1))).filter(exchange, next -> Mono.empty()).block();
			assertThat(log.messages()).isEmpty();
		}
	}

}
