package io.cryoprotect.gateway.observability;

import io.cryoprotect.gateway.routing.RoutingAttributes;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

/**
 * Times each upstream attempt from the routing call to its response headers: the routing filter's
 * Mono completes when the headers arrive, and the body is written by a filter outside this one.
 */
final class UpstreamTimingFilter implements GlobalFilter, Ordered {

	/** Just inside the routing filter (lowest precedence), so retries re-enter it once per attempt. */
	static final int ORDER = Ordered.LOWEST_PRECEDENCE - 1;

	private final RequestMetrics metrics;

	UpstreamTimingFilter(RequestMetrics metrics) {
		this.metrics = metrics;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		long start = System.nanoTime();
		exchange.getAttributes().remove(UpstreamPhases.SENT_AT);
		return chain.filter(exchange).doOnSuccess(done -> {
			long now = System.nanoTime();
			String service = exchange.getAttribute(RoutingAttributes.SERVICE);
			String colour = exchange.getAttribute(RoutingAttributes.COLOUR);
			metrics.firstByte(service + "/" + colour, now - start);
			// In the breakdown, pool acquire and connect are phases of their own (UpstreamPhases).
			Long sentAt = exchange.getAttribute(UpstreamPhases.SENT_AT);
			RequestTrace.record(exchange, RequestTrace.Phase.FIRST_BYTE, now - (sentAt != null ? sentAt : start));
			RequestTrace trace = RequestTrace.of(exchange);
			if (trace != null) {
				trace.headersAt(now);
			}
		});
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

}
