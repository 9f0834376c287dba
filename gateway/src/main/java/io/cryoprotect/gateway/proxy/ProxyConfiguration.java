package io.cryoprotect.gateway.proxy;

import io.cryoprotect.gateway.edge.EdgeProperties;
import io.cryoprotect.gateway.observability.UpstreamPhases;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The upstream transport: the pools per upstream colour, and either the fast path
 * ({@link UpstreamRoutingFilter}, {@link UpstreamResponseWriter}) or, with
 * {@code gateway.proxy.fast-path=false} ({@link FastPath}), Spring Cloud Gateway's own
 * routing filter with the {@link UpstreamHeaderContributor}s as its last header filter.
 */
@Configuration(proxyBeanMethods = false)
class ProxyConfiguration {

	@Bean
	UpstreamClients upstreamClients(UpstreamPhases phases) {
		return new UpstreamClients(phases);
	}

	/** Replaces SCG's routing filter, which is switched off in application.yml. */
	@Bean
	@ConditionalOnBooleanProperty(name = FastPath.PROPERTY, matchIfMissing = true)
	UpstreamRoutingFilter upstreamRoutingFilter(HttpClient httpClient, UpstreamPhases phases,
			ObjectProvider<UpstreamHeaderContributor> contributors) {
		return new UpstreamRoutingFilter(httpClient, phases, contributors.orderedStream().toList());
	}

	/**
	 * Replaces SCG's response writer, which SCG ties to its routing filter's switch
	 * (off).
	 */
	@Bean
	@ConditionalOnBooleanProperty(name = FastPath.PROPERTY, matchIfMissing = true)
	UpstreamResponseWriter upstreamResponseWriter(GatewayProperties properties, EdgeProperties edge) {
		return new UpstreamResponseWriter(properties.getStreamingMediaTypes(), edge.responseBufferSize().toBytes());
	}

	/**
	 * On the stock path, the contributors' headers reach the upstream through SCG's
	 * header filter chain.
	 */
	@Bean
	@ConditionalOnBooleanProperty(name = FastPath.PROPERTY, havingValue = false)
	ContributorsHeadersFilter contributorsHeadersFilter(ObjectProvider<UpstreamHeaderContributor> contributors) {
		return new ContributorsHeadersFilter(contributors.orderedStream().toList());
	}

}
