package io.cryoprotect.gateway.observability;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Runs first on every public request so that even edge rejections carry a request id.
 * W3C {@code traceparent} needs no work here: it is forwarded like any end-to-end header.
 */
@Component
class RequestIdWebFilter implements WebFilter, Ordered {

	/** First of the gateway's filters: every later error can name the request. */
	static final int ORDER = Ordered.HIGHEST_PRECEDENCE;

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String offered = exchange.getRequest().getHeaders().getFirst(RequestId.HEADER);
		String id;
		ServerWebExchange next = exchange;
		if (RequestId.isWellFormed(offered)) {
			id = offered;
		}
		else {
			id = RequestId.generate();
			ServerHttpRequest request = exchange.getRequest().mutate().headers(h -> h.set(RequestId.HEADER, id)).build();
			next = exchange.mutate().request(request).build();
		}
		next.getAttributes().put(RequestId.ATTR, id);
		next.getResponse().getHeaders().set(RequestId.HEADER, id);
		return chain.filter(next);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

}
