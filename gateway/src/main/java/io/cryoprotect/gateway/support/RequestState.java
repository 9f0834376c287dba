package io.cryoprotect.gateway.support;

import java.net.InetSocketAddress;

import reactor.netty.http.client.HttpClient;

import org.springframework.web.server.ServerWebExchange;

/**
 * What the gateway's stages found out about one request, in one object under one exchange
 * attribute, as Envoy keeps its filter state: typed, and written by one stage each (named
 * on its setter), read by any stage after it. A fact written once refuses a second write
 * with {@link IllegalStateException}; the few that legitimately change say so on their
 * setter. Spring Cloud Gateway's own attributes ({@code GATEWAY_ROUTE_ATTR},
 * {@code GATEWAY_REQUEST_URL_ATTR}, {@code CLIENT_RESPONSE_*}) stay where SCG code reads
 * them.
 * <p>
 * Fields are volatile: a request's stages run on its event loop and on the upstream
 * connection's.
 */
public final class RequestState {

	private static final String ATTR = RequestState.class.getName();

	private static final String UNKNOWN_ADDRESS = "unknown";

	/** No {@code RateLimit} header was set yet. */
	private static final long NONE_SHOWN = Long.MAX_VALUE;

	private final InetSocketAddress peer;

	private volatile String requestId;

	private volatile String clientAddress;

	private volatile Caller caller;

	private volatile ColourPick pick;

	private volatile UpstreamTarget target;

	private volatile HttpClient client;

	private volatile int attempts;

	private volatile RateLimitVerdict rateLimit;

	private volatile long rateLimitShown = NONE_SHOWN;

	private volatile ValidationVerdict validation;

	private RequestState(InetSocketAddress peer) {
		this.peer = peer;
	}

	/**
	 * The state of this exchange. The request-id filter, the first of the gateway's
	 * stages, creates it for every request; an exchange that did not pass it (a unit
	 * test's, say) gets one on first use.
	 */
	public static RequestState of(ServerWebExchange exchange) {
		RequestState state = exchange.getAttribute(ATTR);
		if (state != null) {
			return state;
		}
		RequestState created = new RequestState(exchange.getRequest().getRemoteAddress());
		Object first = exchange.getAttributes().putIfAbsent(ATTR, created);
		return first != null ? (RequestState) first : created;
	}

	/** The request id, or null before the request-id filter set it. */
	public String requestId() {
		return requestId;
	}

	/**
	 * Written once, by the request-id filter (observability), first of the gateway's
	 * stages.
	 */
	public void requestId(String id) {
		requestId = once(requestId, id, "request id");
	}

	/**
	 * The client's IP address as the gateway determined it: the address a trusted proxy
	 * reported when the client-address filter found one, else the socket peer.
	 */
	public String clientAddress() {
		String resolved = clientAddress;
		return resolved != null ? resolved : peerAddress();
	}

	/**
	 * Written once, by the client-address filter (identity), and only when the socket
	 * peer is a trusted proxy.
	 */
	public void clientAddress(String address) {
		clientAddress = once(clientAddress, address, "client address");
	}

	/** The socket peer's IP address, whoever it is. */
	public String peerAddress() {
		if (peer == null) {
			return UNKNOWN_ADDRESS;
		}
		return peer.getAddress() != null ? peer.getAddress().getHostAddress() : peer.getHostString();
	}

	/** The verified caller, or null for an anonymous one. */
	public Caller caller() {
		return caller;
	}

	/** Written once, by the JWT identity filter (identity), for a token that verifies. */
	public void caller(Caller verified) {
		caller = once(caller, verified, "caller");
	}

	/**
	 * The key that identifies the caller: the verified subject, or the client address
	 * when anonymous.
	 */
	public String callerKey() {
		Caller known = caller;
		return known != null ? known.subject() : clientAddress();
	}

	/**
	 * The colour routing picked, or null before the pick (or on a request no route took).
	 */
	public ColourPick pick() {
		return pick;
	}

	/**
	 * Written by the colour pick (routing), once per pass of the route's filters: again
	 * only when a route's own filter (SCG's {@code Retry}) runs the rest of the chain
	 * anew.
	 */
	public void pick(ColourPick picked) {
		pick = picked;
	}

	/**
	 * The upstream colour the current attempt calls, or null before the resilience policy
	 * chose one.
	 */
	public UpstreamTarget target() {
		return target;
	}

	/**
	 * The client of {@link #target()}'s pool, with its timeouts; null before the
	 * resilience policy chose one.
	 */
	public HttpClient client() {
		return client;
	}

	/**
	 * Written by the resilience policy (resilience) before the first attempt, and again
	 * when it sends the request to the route's fallback: the target is the one actually
	 * called, which may not be the pick.
	 */
	public void target(UpstreamTarget called, HttpClient calledWith) {
		target = called;
		client = calledWith;
	}

	/**
	 * What was called: the current attempt's target, or, where no attempt was made (the
	 * resilience policy off, or refusing the request), routing's pick; null before the
	 * pick.
	 */
	public UpstreamTarget upstream() {
		UpstreamTarget called = target;
		if (called != null) {
			return called;
		}
		ColourPick picked = pick;
		return picked == null ? null : picked.target();
	}

	/** Upstream attempts made so far: 0 before the first, 1 without retries. */
	public int attempts() {
		return attempts;
	}

	/**
	 * Written by the resilience policy (resilience) as each attempt starts: it counts up
	 * with retries and failovers.
	 */
	public void attempt(int number) {
		attempts = number;
	}

	/** The rate-limit verdict, or null where no limit applied. */
	public RateLimitVerdict rateLimit() {
		return rateLimit;
	}

	/**
	 * Written by the rate-limit filter (ratelimit) in each of its stages that applies a
	 * limit: the body-keyed stage's verdict replaces the caller-keyed stage's.
	 */
	public void rateLimit(RateLimitVerdict verdict) {
		rateLimit = verdict;
	}

	/**
	 * The remaining tokens the response's {@code RateLimit} header reports;
	 * {@link Long#MAX_VALUE} while it has none.
	 */
	public long rateLimitShown() {
		return rateLimitShown;
	}

	/**
	 * Written by the rate-limit filter (ratelimit) whenever a stage sets the
	 * {@code RateLimit} header.
	 */
	public void rateLimitShown(long remaining) {
		rateLimitShown = remaining;
	}

	/** The validation verdict, or null where no rule applied. */
	public ValidationVerdict validation() {
		return validation;
	}

	/**
	 * Written once, by the validation filter (validation), for a request its endpoint
	 * rules apply to.
	 */
	public void validation(ValidationVerdict verdict) {
		validation = once(validation, verdict, "validation verdict");
	}

	private static <T> T once(T current, T next, String fact) {
		if (current != null) {
			throw new IllegalStateException("The " + fact + " of a request is written once; it is " + current
					+ " already, and " + next + " came second");
		}
		return next;
	}

}
