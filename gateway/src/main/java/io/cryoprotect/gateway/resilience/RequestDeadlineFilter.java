package io.cryoprotect.gateway.resilience;

import java.time.Duration;
import java.util.function.Supplier;

import io.cryoprotect.gateway.chain.GatewayStage;
import io.cryoprotect.gateway.edge.RequestBodyArrival;
import io.cryoprotect.gateway.errors.ProblemException;
import io.cryoprotect.gateway.errors.ProblemType;
import io.cryoprotect.gateway.support.RequestLoop;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * The total deadline of a routed request, retries and response body included, from the
 * moment the client's request body has arrived ({@link RequestBodyArrival}). It sits
 * outside the filter that streams the response, so a body that stalls past the deadline
 * is cut off; before the response started, the client gets a 504.
 */
final class RequestDeadlineFilter implements GlobalFilter, Ordered {

	private final Supplier<ResilienceConfig> config;

	RequestDeadlineFilter(Supplier<ResilienceConfig> config) {
		this.config = config;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		ResilienceConfig cfg = config.get();
		Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
		if (cfg == null || route == null) {
			return chain.filter(exchange);
		}
		Duration deadline = cfg.policy(route.getId(), exchange.getRequest().getMethod()).requestTimeout();
		// A timer publisher with a fallback, not timeout(Duration): that form builds a
		// description string
		// per request (the duration, then the name of every operator upstream) for a
		// TimeoutException
		// that the gateway would only replace.
		// It counts from the moment the client's body is in: until then the edge's read
		// and request timeouts
		// bound the client, and a body trickling past the deadline is the client's 408,
		// not the upstream's 504.
		return chain.filter(exchange)
			.timeout(RequestBodyArrival.after(exchange, Mono.delay(deadline, RequestLoop.scheduler(exchange))),
					Mono.error(() -> new ProblemException(ProblemType.UPSTREAM_TIMEOUT,
							"The request did not complete within its deadline of " + deadline.toMillis() + " ms.")));
	}

	@Override
	public int getOrder() {
		return GatewayStage.REQUEST_DEADLINE.order();
	}

}
