package io.cryoprotect.gateway.resilience;

import io.cryoprotect.gateway.observability.UpstreamPhases;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.web.server.ServerWebExchange;

import java.util.List;

/**
 * Spring Cloud Gateway's routing filter, sending each request through the client of its
 * upstream colour's own pool with the timeouts of its resilience policy. It replaces the
 * stock routing filter (disabled by property), keeping its header handling and streaming.
 */
final class UpstreamRoutingFilter extends NettyRoutingFilter {

	/** Exchange attribute holding the {@link HttpClient} the resilience filter chose. */
	static final String CLIENT_ATTR = UpstreamRoutingFilter.class.getName() + ".client";

	UpstreamRoutingFilter(HttpClient defaultClient, ObjectProvider<List<HttpHeadersFilter>> headersFilters,
			HttpClientProperties properties) {
		super(defaultClient, headersFilters, properties);
	}

	@Override
	protected HttpClient getHttpClient(Route route, ServerWebExchange exchange) {
		HttpClient client = exchange.getAttribute(CLIENT_ATTR);
		return UpstreamPhases.instrument(client != null ? client : super.getHttpClient(route, exchange), exchange);
	}

}
