package io.cryoprotect.gateway.websocket;

import io.cryoprotect.gateway.proxy.UpstreamHeaderContributor;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** WebSocket proxying for routes with {@code websocket: true}. */
@Configuration(proxyBeanMethods = false)
class WebSocketConfiguration {

	@Bean
	WebSocketSessions webSocketSessions(WebSocketProperties properties, MeterRegistry meters) {
		return new WebSocketSessions(properties, meters, Schedulers.parallel());
	}

	/**
	 * The gateway's shared client is SCG's
	 * ({@code spring.cloud.gateway.server.webflux.httpclient.*}).
	 */
	@Bean
	WebSocketRoutingFilter webSocketRoutingFilter(WebSocketSessions sessions, WebSocketProperties properties,
			HttpClient httpClient, ObjectProvider<UpstreamHeaderContributor> contributors) {
		return new WebSocketRoutingFilter(sessions, httpClient, (int) properties.maxFrameSize().toBytes(),
				contributors.orderedStream().toList());
	}

}
