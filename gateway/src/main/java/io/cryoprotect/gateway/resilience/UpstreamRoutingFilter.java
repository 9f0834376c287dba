package io.cryoprotect.gateway.resilience;

import java.util.List;

import io.cryoprotect.gateway.observability.UpstreamPhases;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.web.server.ServerWebExchange;

/**
 * Spring Cloud Gateway's routing filter, sending each request through the client of its
 * upstream colour's own pool with the timeouts of its resilience policy. It replaces the
 * stock routing filter (disabled by property), keeping its header handling and streaming.
 * Every client it uses carries the {@link UpstreamPhases} hooks, installed when the client is built.
 */
final class UpstreamRoutingFilter extends NettyRoutingFilter {

	/** Exchange attribute holding the {@link HttpClient} the resilience filter chose. */
	static final String CLIENT_ATTR = UpstreamRoutingFilter.class.getName() + ".client";

	UpstreamRoutingFilter(HttpClient defaultClient, ObjectProvider<List<HttpHeadersFilter>> headersFilters,
			HttpClientProperties properties, UpstreamPhases phases) {
		super(phases.instrument(defaultClient), headersFilters, properties);
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		return UpstreamPhases.attempt(exchange, super.filter(exchange, chain));
	}

	@Override
	protected HttpClient getHttpClient(Route route, ServerWebExchange exchange) {
		HttpClient client = exchange.getAttribute(CLIENT_ATTR);
		return client != null ? client : super.getHttpClient(route, exchange);
	}

}
