package io.cryoprotect.gateway.proxy;

import java.util.List;
import java.util.Set;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CLIENT_RESPONSE_HEADER_NAMES;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.ORIGINAL_RESPONSE_CONTENT_TYPE_ATTR;

/**
 * The routing filter's header rules over a {@link MockServerWebExchange}, as Spring Cloud
 * Gateway tests its header filters: what of the client's request reaches the upstream,
 * and what of the upstream's response reaches the client. (A request read by Reactor
 * Netty takes a faster path to the same rule; the integration tests send real ones.)
 */
class UpstreamRoutingFilterHeadersTests {

	private static HttpHeaders upstreamOf(MockServerHttpRequest.BaseBuilder<?> request, boolean preserveHost,
			UpstreamHeaderContributor... contributors) {
		MockServerWebExchange exchange = MockServerWebExchange.from(request);
		HttpHeaders upstream = new DefaultHttpHeaders();
		UpstreamRoutingFilter.upstreamHeaders(exchange.getRequest(), upstream, preserveHost, exchange,
				List.of(contributors));
		return upstream;
	}

	@Test
	void endToEndHeadersPassWithAllTheirValues() {
		HttpHeaders upstream = upstreamOf(MockServerHttpRequest.get("http://gateway/api/v1/molecules")
			.header("Accept", "application/json")
			.header("Authorization", "Bearer t")
			.header("X-Custom", "one", "two"), false);
		assertThat(upstream.getAll("Accept")).containsExactly("application/json");
		assertThat(upstream.getAll("Authorization")).containsExactly("Bearer t");
		assertThat(upstream.getAll("X-Custom")).containsExactly("one", "two");
	}

	@Test
	void hopByHopHeadersAndThoseConnectionNamesStayAtTheGateway() {
		HttpHeaders upstream = upstreamOf(MockServerHttpRequest.get("http://gateway/api/v1/molecules")
			.header("Connection", "keep-alive, X-Hop")
			.header("Keep-Alive", "timeout=5")
			.header("X-Hop", "1")
			.header("TE", "trailers")
			.header("Trailer", "X-Checksum")
			.header("Transfer-Encoding", "chunked")
			.header("Upgrade", "h2c")
			.header("Proxy-Authorization", "Basic eDp5")
			.header("X-Application-Context", "app")
			.header("X-End-To-End", "1"), false);
		assertThat(upstream.names()).containsExactly("X-End-To-End");
	}

	@Test
	void forwardingHeadersAndHostAreTheGatewaysToSet() {
		MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.get("http://gateway/api/v1/molecules")
			.header("Host", "gateway.example")
			.header("Forwarded", "for=6.6.6.6")
			.header("X-Forwarded-For", "6.6.6.6")
			.header("X-Forwarded-Host", "evil.example")
			.header("X-Forwarded-Port", "1")
			.header("X-Forwarded-Proto", "https")
			.header("X-Forwarded-Prefix", "/x");
		assertThat(upstreamOf(request, false).names()).isEmpty();
		assertThat(upstreamOf(request, true).getAll("Host")).as("a route that preserves Host")
			.containsExactly("gateway.example");
	}

	@Test
	void contributorsRunAfterTheCopyInOrderAndHaveTheLastWord() {
		HttpHeaders upstream = upstreamOf(
				MockServerHttpRequest.get("http://gateway/api/v1/molecules")
					.header("X-User-Id", "forged")
					.header("X-Trace", "client"),
				false, (headers, exchange) -> headers.remove("X-User-Id").set("X-Real-IP", "10.0.0.1"),
				(headers, exchange) -> headers.add("X-Trace", "gateway"));
		assertThat(upstream.contains("X-User-Id")).isFalse();
		assertThat(upstream.getAll("X-Real-IP")).containsExactly("10.0.0.1");
		assertThat(upstream.getAll("X-Trace")).containsExactly("client", "gateway");
	}

	@Test
	void theResponseKeepsItsEndToEndHeadersAndRemembersTheirNames() {
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("http://gateway/"));
		HttpHeaders upstream = new DefaultHttpHeaders().add("Content-Type", "application/json")
			.add("Set-Cookie", "a=1")
			.add("Set-Cookie", "b=2")
			.add("Connection", "keep-alive, X-Hop")
			.add("Keep-Alive", "timeout=5")
			.add("X-Hop", "1")
			.add("Transfer-Encoding", "chunked");
		UpstreamRoutingFilter.copyResponse(201, upstream, exchange);
		assertThat(exchange.getResponse().getStatusCode().value()).isEqualTo(201);
		org.springframework.http.HttpHeaders response = exchange.getResponse().getHeaders();
		assertThat(response.headerNames()).containsExactlyInAnyOrder("Content-Type", "Set-Cookie");
		assertThat(response.get("Set-Cookie")).containsExactly("a=1", "b=2");
		assertThat(exchange.<String>getAttribute(ORIGINAL_RESPONSE_CONTENT_TYPE_ATTR)).isEqualTo("application/json");
		// What a retry removes before the next attempt copies its own.
		assertThat(exchange.<Set<String>>getAttribute(CLIENT_RESPONSE_HEADER_NAMES))
			.containsExactlyInAnyOrder("Content-Type", "Set-Cookie");
	}

}
