package io.cryoprotect.gateway.observability;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The request-facing meters, tagged with bounded values only (never path, user or
 * address): {@code gateway_requests_seconds{route,upstream,colour,method,status,outcome}}
 * with SLO buckets, {@code gateway_rejections_total{route,cause}} and
 * {@code gateway_upstream_first_byte_seconds{upstream}} (upstream = service/colour, per
 * attempt) and {@code gateway_upstream_connect_seconds{upstream}} (new connections only).
 */
final class RequestMetrics {

	static final Duration[] SLO = { Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
			Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
			Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
			Duration.ofSeconds(30) };

	private record RequestKey(String route, String upstream, String colour, String method, String status,
			String outcome) {
	}

	private record RejectionKey(String route, String cause) {
	}

	private final MeterCache<RequestKey, Timer> requests;

	private final MeterCache<RejectionKey, Counter> rejections;

	private final MeterCache<String, Timer> firstBytes;

	private final MeterCache<String, Timer> connects;

	RequestMetrics(MeterRegistry meters) {
		this.requests = new MeterCache<>(k -> Timer.builder("gateway.requests")
			.description("Requests as the client saw them, including the gateway's own rejections")
			.tags("route", k.route(), "upstream", k.upstream(), "colour", k.colour(), "method", k.method(), "status",
					k.status(), "outcome", k.outcome())
			.serviceLevelObjectives(SLO)
			.register(meters));
		this.rejections = new MeterCache<>(k -> Counter.builder("gateway.rejections")
			.description("Requests the gateway refused or cut short itself, by cause")
			.tags("route", k.route(), "cause", k.cause())
			.register(meters));
		this.firstBytes = new MeterCache<>(upstream -> Timer.builder("gateway.upstream.first.byte")
			.description(
					"Time from sending an upstream attempt to its response headers, pool wait and connect included")
			.tags("upstream", upstream)
			.serviceLevelObjectives(SLO)
			.register(meters));
		this.connects = new MeterCache<>(upstream -> Timer.builder("gateway.upstream.connect")
			.description("TCP connect time of new upstream connections (pooled requests skip connect)")
			.tags("upstream", upstream)
			.register(meters));
	}

	void request(String route, String upstream, String colour, String method, int status, String outcome, long nanos) {
		requests.get(new RequestKey(route, upstream, colour, method, statusClass(status), outcome))
			.record(nanos, TimeUnit.NANOSECONDS);
	}

	void rejection(String route, String cause) {
		rejections.get(new RejectionKey(route, cause)).increment();
	}

	void firstByte(String upstream, long nanos) {
		firstBytes.get(upstream).record(nanos, TimeUnit.NANOSECONDS);
	}

	void connect(String upstream, long nanos) {
		connects.get(upstream).record(nanos, TimeUnit.NANOSECONDS);
	}

	static String statusClass(int status) {
		return status >= 100 && status < 600 ? (status / 100) + "xx" : "other";
	}

	/**
	 * Unknown methods (any token is legal HTTP) would be unbounded, so they share one
	 * value.
	 */
	static String method(String method) {
		return switch (method) {
			case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE" -> method;
			default -> "other";
		};
	}

}
