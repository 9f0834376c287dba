package io.cryoprotect.gateway.observability;

import io.cryoprotect.gateway.chain.GatewayStage;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

/**
 * Closes the edge phase of the slow-request breakdown when the route's filter chain
 * starts.
 */
final class EdgePhaseFilter implements GlobalFilter, Ordered {

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		RequestTrace trace = RequestTrace.of(exchange);
		if (trace != null) {
			trace.add(RequestTrace.Phase.EDGE, System.nanoTime() - trace.startNanos);
		}
		return chain.filter(exchange);
	}

	@Override
	public int getOrder() {
		return GatewayStage.EDGE_PHASE.order();
	}

}
