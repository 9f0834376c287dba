package io.cryoprotect.gateway.proxy;

import io.netty.handler.codec.http.HttpHeaders;

import org.springframework.web.server.ServerWebExchange;

/**
 * A contribution to the headers of the request the gateway sends upstream, applied by the
 * routing filter to the outgoing Netty headers after it copied the client's end-to-end
 * headers into them (so no contributor copies the request). Beans of this type are
 * applied in {@code @Order}.
 */
@FunctionalInterface
public interface UpstreamHeaderContributor {

	void apply(HttpHeaders upstream, ServerWebExchange exchange);

}
