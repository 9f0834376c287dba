package io.cryoprotect.gateway.edge;

import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;

/**
 * Sets the server's timeouts, of which Reactor Netty sets none by default (the idle
 * timeout Reactor Netty's own, the header timeout {@link RequestHeadTimeout}'s, the body
 * read and request timeouts {@link RequestReadGuard}'s), and strict header decoding. The
 * decoder's size limits ({@code server.max-http-request-header-size},
 * {@code server.netty.max-initial-line-length}) are set above the edge limits: they are a
 * backstop against absurd input, while {@link EdgeLimitsWebFilter} enforces the
 * configured limits with a problem+json answer. {@link RequestReadGuard} and
 * {@link RequestHeadTimeout} go on every HTTP/1.1 connection. Applies to the public port
 * and, through {@link ManagementServerConfiguration}, to the management port.
 */
@Component
class EdgeServerCustomizer implements NettyServerCustomizer {

	private final EdgeProperties properties;

	private final ClientErrors clientErrors;

	EdgeServerCustomizer(EdgeProperties properties, ClientErrors clientErrors) {
		this.properties = properties;
		this.clientErrors = clientErrors;
	}

	@Override
	public HttpServer apply(HttpServer server) {
		return server.doOnChannelInit((observer, channel, remote) -> {
			if (channel.pipeline().get(NettyPipeline.HttpTrafficHandler) != null
					&& channel.pipeline().get(RequestReadGuard.NAME) == null) {
				channel.pipeline()
					.addAfter(NettyPipeline.HttpTrafficHandler, RequestReadGuard.NAME, new RequestReadGuard(
							properties.readTimeout(), properties.requestTimeout(), properties.idleTimeout()));
				new RequestHeadTimeout(properties.headerTimeout(), clientErrors).install(channel.pipeline());
			}
		})
			.httpRequestDecoder(spec -> spec.validateHeaders(true).allowDuplicateContentLengths(false))
			.idleTimeout(properties.idleTimeout());
	}

}
