package io.cryoprotect.gateway.proxy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebExchangeDecorator;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebHandler;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which headers the routing filter copies upstream, on a real Reactor Netty server behind
 * WebFlux's own adapter: Reactor Netty's decoded headers (the fast branch, one pass, no
 * copy) for the server's own request, Spring's view of them once a filter changed the
 * request. If an upgrade of Spring or Reactor Netty changed the request classes, the fast
 * branch would silently stop being taken; this test says so.
 */
class DecodedHeadersTests {

	/** Answers which branch the routing filter would take for this exchange. */
	private static final WebHandler BRANCH = exchange -> exchange.getResponse()
		.writeWith(Mono.fromSupplier(() -> exchange.getResponse()
			.bufferFactory()
			.wrap((UpstreamRoutingFilter.decodedHeaders(exchange.getRequest(), exchange) != null ? "decoded" : "copied")
				.getBytes(StandardCharsets.US_ASCII))));

	private static String branchBehind(WebFilter filter) {
		WebHttpHandlerBuilder builder = WebHttpHandlerBuilder.webHandler(BRANCH);
		if (filter != null) {
			builder.filter(filter);
		}
		DisposableServer server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle(new ReactorHttpHandlerAdapter(builder.build()))
			.bindNow();
		try {
			return HttpClient.create()
				.get()
				.uri("http://127.0.0.1:" + server.port() + "/api/v1/molecules")
				.responseContent()
				.aggregate()
				.asString()
				.block(Duration.ofSeconds(10));
		}
		finally {
			server.disposeNow();
		}
	}

	@Test
	void theServersOwnRequestTakesTheDecodedHeaders() {
		assertThat(branchBehind(null)).isEqualTo("decoded");
	}

	@Test
	void aDecoratedExchangeWithTheSameRequestStillDoes() {
		assertThat(branchBehind((exchange, chain) -> chain.filter(new ServerWebExchangeDecorator(exchange) {
		}))).isEqualTo("decoded");
	}

	@Test
	void aMutatedRequestIsCopiedFromSpringsView() {
		WebFilter addsHeader = (exchange, chain) -> {
			ServerWebExchange mutated = exchange.mutate().request(request -> request.header("X-Added", "1")).build();
			return chain.filter(mutated);
		};
		assertThat(branchBehind(addsHeader)).isEqualTo("copied");
	}

}
