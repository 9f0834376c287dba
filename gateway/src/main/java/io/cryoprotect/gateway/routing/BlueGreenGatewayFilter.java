package io.cryoprotect.gateway.routing;

import java.net.URI;
import java.time.Duration;
import java.util.UUID;

import io.cryoprotect.gateway.chain.GatewayStage;
import io.cryoprotect.gateway.support.ColourPick;
import io.cryoprotect.gateway.support.RequestState;
import io.cryoprotect.gateway.support.UpstreamTarget;
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
 * Sends the request to the colour its route's {@link ColourPlan} picks: it sets the
 * upstream URL to the colour's origin plus the request's raw path and query, as the
 * route's own filters left them. It takes the place of {@link RouteToRequestUrlFilter}
 * (switched off in application.yml), which would merge the route URI into the request URI
 * first, only for the colour to replace it. When no colour with weight is healthy it does
 * not answer itself: the resilience policy decides, with the route's fallback in view.
 * The pick is the request's {@link RequestState#pick() routing fact}; the picks of each
 * colour, healthy or not, are built with the filter, so picking allocates nothing.
 */
public final class BlueGreenGatewayFilter implements GatewayFilter, Ordered {

	private static final Duration STICKY_COOKIE_MAX_AGE = Duration.ofDays(30);

	private final ColourPlan plan;

	private final String service;

	private final String stickyCookieName;

	private final UpstreamHealth health;

	/**
	 * The plan's colours, in its order; {@link #picks} and {@link #unhealthyPicks} follow
	 * it.
	 */
	private final UpstreamColour[] colours;

	private final Pick[] picks;

	private final Pick[] unhealthyPicks;

	/** Routing's pick of one colour of the plan. */
	private record Pick(ColourPlan plan, UpstreamTarget target, boolean healthy) implements ColourPick {

		@Override
		public Retarget colour(String colour, URI url) {
			return plan.retarget(target.service(), colour, url);
		}

	}

	BlueGreenGatewayFilter(ColourPlan plan, String service, String stickyCookieName, UpstreamHealth health) {
		this.plan = plan;
		this.service = service;
		this.stickyCookieName = stickyCookieName;
		this.health = health;
		this.colours = plan.colours().toArray(UpstreamColour[]::new);
		this.picks = new Pick[colours.length];
		this.unhealthyPicks = new Pick[colours.length];
		for (int i = 0; i < colours.length; i++) {
			UpstreamTarget target = new UpstreamTarget(service, colours[i].name(), colours[i].origin());
			picks[i] = new Pick(plan, target, true);
			unhealthyPicks[i] = new Pick(plan, target, false);
		}
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		RequestState state = RequestState.of(exchange);
		int bucket = plan.bucket(stickyKey(exchange, state));
		UpstreamColour colour = plan.pick(bucket, service, health);
		if (colour == null) {
			// No colour with weight passes its health check. The bucket's own colour goes
			// on, marked, so the
			// resilience policy hands the request to the route's fallback (as for an open
			// breaker) or fails it fast.
			colour = plan.colourForBucket(bucket);
			state.pick(unhealthyPicks[indexOf(colour)]);
		}
		else {
			state.pick(picks[indexOf(colour)]);
		}
		// The request as the route's filters left it (path rewrites included), sent to
		// the colour's origin.
		exchange.getAttributes().put(GATEWAY_REQUEST_URL_ATTR, colour.retarget(exchange.getRequest().getURI()));
		return chain.filter(exchange);
	}

	private int indexOf(UpstreamColour colour) {
		for (int i = 0; i < colours.length; i++) {
			if (colours[i] == colour) {
				return i;
			}
		}
		throw new IllegalArgumentException(colour + " is not a colour of " + plan);
	}

	/** The key that fixes the caller's bucket, or null for a random pick. */
	private String stickyKey(ServerWebExchange exchange, RequestState state) {
		return switch (plan.sticky()) {
			case none -> null;
			// A verified caller's subject; an anonymous caller's address.
			case user -> state.callerKey();
			case ip -> state.clientAddress();
			case cookie -> stickyCookie(exchange);
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
		return GatewayStage.COLOUR_PICK.order();
	}

	@Override
	public String toString() {
		return "BlueGreen{" + plan + "}";
	}

}
