package io.cryoprotect.gateway.edge;

import reactor.netty.http.server.HttpServer;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;

/**
 * Sets the Reactor Netty server timeouts (it sets none by default) and decoder limits.
 * The decoder limits sit at twice the configured ones: they are a backstop against
 * absurd input, while {@link EdgeLimitsWebFilter} enforces the configured limits with
 * a problem+json answer. Applies to the public port and the management port alike.
 */
@Component
class EdgeServerCustomizer implements NettyServerCustomizer {

	private final EdgeProperties properties;

	EdgeServerCustomizer(EdgeProperties properties) {
		this.properties = properties;
	}

	@Override
	public HttpServer apply(HttpServer server) {
		int headerBackstop = (int) Math.min(Integer.MAX_VALUE / 2, properties.maxHeaderSize().toBytes()) * 2;
		int lineBackstop = (properties.maxUrlLength() + 64) * 2;
		return server
			.httpRequestDecoder(spec -> spec.maxHeaderSize(headerBackstop)
				.maxInitialLineLength(lineBackstop)
				.validateHeaders(true)
				.allowDuplicateContentLengths(false))
			.readTimeout(properties.readTimeout())
			.requestTimeout(properties.requestTimeout())
			.idleTimeout(properties.idleTimeout());
	}

}
