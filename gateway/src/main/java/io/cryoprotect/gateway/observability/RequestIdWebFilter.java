package io.cryoprotect.gateway.observability;

import io.cryoprotect.gateway.chain.GatewayStage;
import io.cryoprotect.gateway.support.RequestState;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Runs first on every public request so that even edge rejections carry a request id; it creates the
 * request's {@link RequestState} and writes the id there.
 * W3C {@code traceparent} needs no work here: it is forwarded like any end-to-end header.
 */
@Component
class RequestIdWebFilter implements WebFilter, Ordered {


	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String offered = exchange.getRequest().getHeaders().getFirst(RequestId.HEADER);
		String id = RequestId.isWellFormed(offered) ? offered : RequestId.generate();
		// The upstream gets it from RequestIdHeaderContributor, on the headers built for the upstream request.
		RequestState.of(exchange).requestId(id);
		exchange.getResponse().getHeaders().set(RequestId.HEADER, id);
		return chain.filter(exchange);
	}

	@Override
	public int getOrder() {
		return GatewayStage.REQUEST_ID.order();
	}

	/** Constant: WebFlux names each request's filter checkpoint by toString(), per request. */
	@Override
	public String toString() {
		return "RequestIdWebFilter";
	}

}
