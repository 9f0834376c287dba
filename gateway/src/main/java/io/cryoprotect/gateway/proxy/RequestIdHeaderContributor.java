package io.cryoprotect.gateway.proxy;

import io.cryoprotect.gateway.support.RequestId;
import io.cryoprotect.gateway.support.RequestState;
import io.netty.handler.codec.http.HttpHeaders;

import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Forwards the request id upstream: the client's own well-formed id, or the one generated
 * for it.
 */
@Component
class RequestIdHeaderContributor implements UpstreamHeaderContributor {

	@Override
	public void apply(HttpHeaders upstream, ServerWebExchange exchange) {
		String id = RequestState.of(exchange).requestId();
		if (id != null) {
			upstream.set(RequestId.HEADER, id);
		}
	}

}
