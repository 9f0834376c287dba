package io.cryoprotect.gateway.routing;

import java.net.URI;
import java.time.Duration;
import java.util.UUID;

import io.cryoprotect.gateway.identity.ClientAddress;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpCookie;
import org.springframework.http.ResponseCookie;
import org.springframework.web.server.ServerWebExchange;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;

/**
 * Sends the request to the colour its route's {@link ColourPlan} picks. It runs right after
 * {@link RouteToRequestUrlFilter} has merged the rewritten path into the route URI, and only
 * swaps scheme, host and port.
 */
public final class BlueGreenGatewayFilter implements GatewayFilter, Ordered {

	/** Runs after the request URL exists and before the routing filter sends it. */
	public static final int ORDER = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 1;

	private static final Duration STICKY_COOKIE_MAX_AGE = Duration.ofDays(30);

	private final ColourPlan plan;

	private final String service;

	private final String stickyCookieName;

	BlueGreenGatewayFilter(ColourPlan plan, String service, String stickyCookieName) {
		this.plan = plan;
		this.service = service;
		this.stickyCookieName = stickyCookieName;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		UpstreamColour colour = pick(exchange);
		URI url = exchange.getAttribute(GATEWAY_REQUEST_URL_ATTR);
		if (url != null) {
			exchange.getAttributes().put(GATEWAY_REQUEST_URL_ATTR, colour.retarget(url));
		}
		exchange.getAttributes().put(RoutingAttributes.COLOUR, colour.name());
		exchange.getAttributes().put(RoutingAttributes.SERVICE, service);
		exchange.getAttributes().put(RoutingAttributes.PLAN, plan);
		return chain.filter(exchange);
	}

	private UpstreamColour pick(ServerWebExchange exchange) {
		return switch (plan.sticky()) {
			case none -> plan.pickRandom();
			// Until verified identities arrive, a user's key is the client address, as for anonymous callers.
			case user, ip -> plan.pickSticky(ClientAddress.of(exchange));
			case cookie -> plan.pickSticky(stickyCookie(exchange));
		};
	}

	private String stickyCookie(ServerWebExchange exchange) {
		HttpCookie cookie = exchange.getRequest().getCookies().getFirst(stickyCookieName);
		if (cookie != null && !cookie.getValue().isEmpty()) {
			return cookie.getValue();
		}
		String value = UUID.randomUUID().toString();
		exchange.getResponse()
			.addCookie(ResponseCookie.from(stickyCookieName, value)
				.path("/")
				.httpOnly(true)
				.sameSite("Lax")
				.maxAge(STICKY_COOKIE_MAX_AGE)
				.build());
		return value;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public String toString() {
		return "BlueGreen{" + plan + "}";
	}

}
