package io.cryoprotect.gateway.support;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Sends a bounded number of requests to a gateway over real keep-alive connections and
 * reports, per request, the status and the upstream that answered.
 */
public final class Traffic implements AutoCloseable {

	/**
	 * What one request got back; {@code upstream} is the {@code X-Upstream} header, or
	 * null.
	 */
	public record Outcome(int status, String upstream) {
	}

	private final ConnectionProvider connections;

	private final HttpClient client;

	public Traffic(int port, int maxConnections) {
		this.connections = ConnectionProvider.builder("test-traffic").maxConnections(maxConnections).build();
		this.client = HttpClient.create(connections)
			.baseUrl("http://127.0.0.1:" + port)
			.responseTimeout(Duration.ofSeconds(10));
	}

	/**
	 * GETs {@code path} {@code count} times, at most {@code concurrency} at once;
	 * {@code before} runs before request i.
	 */
	public List<Outcome> get(String path, int count, int concurrency, IntFunction<Mono<Void>> before) {
		return Flux.range(0, count)
			.flatMap(i -> before.apply(i)
				.then(client.get()
					.uri(path)
					.response((res, body) -> body
						.then(Mono.just(new Outcome(res.status().code(), res.responseHeaders().get("X-Upstream")))))
					.single()), concurrency)
			.collectList()
			.block(Duration.ofMinutes(2));
	}

	public List<Outcome> get(String path, int count, int concurrency) {
		return get(path, count, concurrency, i -> Mono.empty());
	}

	public static Map<String, Long> byUpstream(List<Outcome> outcomes) {
		return outcomes.stream()
			.collect(Collectors.groupingBy(o -> String.valueOf(o.upstream()), Collectors.counting()));
	}

	@Override
	public void close() {
		connections.disposeLater().block(Duration.ofSeconds(10));
	}

}
