package io.cryoprotect.gateway.resilience;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.cryoprotect.gateway.chain.GatewayStage;
import io.cryoprotect.gateway.errors.ErrorMap;
import io.cryoprotect.gateway.errors.ProblemException;
import io.cryoprotect.gateway.errors.ProblemType;
import io.cryoprotect.gateway.proxy.UpstreamClients;
import io.cryoprotect.gateway.routing.UpstreamColour;
import io.cryoprotect.gateway.routing.UpstreamHealth;
import io.cryoprotect.gateway.support.ColourPick;
import io.cryoprotect.gateway.support.RequestState;
import io.cryoprotect.gateway.support.UpstreamTarget;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.netty.channel.ConnectTimeoutException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.netty.channel.AbortedException;
import reactor.netty.http.client.PrematureCloseException;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * Wraps the upstream call of every routed request in its route's resilience policy: the
 * colour's circuit breaker, the time to the response headers, and retries with capped,
 * jittered exponential backoff that honour {@code Retry-After}, draw on the upstream's
 * retry budget, and resend a cached, byte-identical body (within the memory budget of
 * {@link RetryBuffers}; a body beyond it is sent once, never retried). Only idempotent
 * requests are retried on reset or status (POST and PATCH only with an
 * {@code Idempotency-Key}); a connect failure, where nothing reached the upstream, is
 * retried for any request without a body too.
 * <p>
 * The route's fallback (another colour, or a URI) takes a request whenever the picked
 * colour cannot: its breaker is open, no colour with weight passes its health check, or
 * connecting to it failed. Like Envoy's failover to a lower priority level, the fallback
 * only takes traffic the weighted colours cannot, and only while it passes its own health
 * check and its breaker lets calls through. A connect failure goes to the fallback at
 * once, without backoff or retry budget and for any method: nothing reached the upstream
 * and the request body was not read yet, since it is only sent over an established
 * connection.
 * <p>
 * Routing's pick is never changed here: the route's fallback colour comes from the pick
 * ({@link ColourPick#colour}), and the colour each attempt calls is this policy's own
 * fact ({@link RequestState#target}), with the upstream URL pointed at it.
 */
final class ResilienceGatewayFilter implements GlobalFilter, Ordered {

	private static final Log logger = LogFactory.getLog(ResilienceGatewayFilter.class);

	private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
			HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.TRACE);

	private static final String IDEMPOTENCY_KEY = "Idempotency-Key";

	/**
	 * Roughly one health check interval: when a client may find a colour healthy again.
	 */
	private static final long NO_HEALTHY_RETRY_AFTER_SECONDS = 5;

	private final Supplier<ResilienceConfig> config;

	private final CircuitBreakers breakers;

	private final RetryBudgets budgets;

	private final UpstreamClients clients;

	private final ResilienceMetrics metrics;

	private final UpstreamHealth health;

	private final RetryBuffers retryBuffers;

	/** Reads an HTTP-date {@code Retry-After} against now. */
	private final Clock clock;

	ResilienceGatewayFilter(Supplier<ResilienceConfig> config, CircuitBreakers breakers, RetryBudgets budgets,
			UpstreamClients clients, ResilienceMetrics metrics, UpstreamHealth health, RetryBuffers retryBuffers,
			Clock clock) {
		this.config = config;
		this.breakers = breakers;
		this.budgets = budgets;
		this.clients = clients;
		this.metrics = metrics;
		this.health = health;
		this.retryBuffers = retryBuffers;
		this.clock = clock;
	}

	/** What one attempt came back with: a response status, or an error. */
	private record Outcome(HttpStatusCode status, Throwable error) {
	}

	/**
	 * The fixed facts of one request across its attempts. {@code resendable}: another
	 * attempt can send the request again, which for a body means it was cached.
	 */
	private record Call(ServerWebExchange exchange, GatewayFilterChain chain, String routeId,
			ResilienceConfig.Policy policy, UpstreamTarget target, CircuitBreaker breaker, RetryBudget budget,
			boolean idempotent, boolean resendable) {
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		ResilienceConfig cfg = config.get();
		Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
		RequestState state = RequestState.of(exchange);
		ColourPick pick = state.pick();
		URI url = exchange.getAttribute(GATEWAY_REQUEST_URL_ATTR);
		boolean noHealthyColour = pick != null && !pick.healthy();
		if (cfg == null || route == null || pick == null || url == null) {
			return noHealthyColour ? Mono.error(noHealthyColour(pick.target().service())) : chain.filter(exchange);
		}
		ServerHttpRequest request = exchange.getRequest();
		ResilienceConfig.Policy policy = cfg.policy(route.getId(), request.getMethod());
		UpstreamTarget target = pick.target();
		String service = target.service();
		ResilienceConfig.UpstreamPolicy upstream = cfg.upstream(service);
		CircuitBreaker breaker = breakers.get(target, upstream.breaker());
		// An ejected colour's breaker is not asked: a half-open trial slot must not go to
		// a request it never gets.
		if (noHealthyColour || !breaker.tryAcquirePermission()) {
			FallbackTarget fallback = fallback(cfg, route.getId(), pick, target, url);
			if (fallback == null) {
				if (noHealthyColour) {
					return Mono.error(noHealthyColour(service));
				}
				metrics.breakerRejected(route.getId(), target);
				return Mono.error(new ProblemException(ProblemType.UPSTREAM_UNAVAILABLE,
						"The " + service + " service (" + target.colour()
								+ ") is failing; its circuit breaker is open.",
						Map.of(), breakers.retryAfterSeconds(target), null));
			}
			metrics.fallback(route.getId(), target, fallback.target(), noHealthyColour ? "unhealthy" : "breaker_open");
			exchange.getAttributes().put(GATEWAY_REQUEST_URL_ATTR, fallback.url());
			target = fallback.target();
			breaker = fallback.breaker();
		}
		state.target(target,
				clients.client(target, upstream.pool(), policy.connectTimeout(), policy.responseTimeout()));
		RetryBudget budget = budgets.get(target, upstream.budget());
		budget.onRequest();
		boolean idempotent = IDEMPOTENT.contains(request.getMethod())
				|| request.getHeaders().containsHeader(IDEMPOTENCY_KEY);
		boolean body = hasBody(request);
		Call call = new Call(exchange, chain, route.getId(), policy, target, breaker, budget, idempotent,
				!body || idempotent);
		if (policy.retry().maxAttempts() > 1 && body && idempotent) {
			// Cached once, only when it may be resent, so that every attempt sends the
			// same bytes; a body the
			// retry buffers have no room for streams through once and cannot be resent.
			return retryBuffers.cache(exchange, route.getId(),
					cached -> attempt(withRequest(call, exchange.mutate().request(cached).build()), 1),
					() -> attempt(sentOnce(call), 1));
		}
		return attempt(call, 1);
	}

	private Mono<Void> attempt(Call call, int number) {
		// The access log reports retries per request; the attempt number is all it needs.
		RequestState.of(call.exchange()).attempt(number);
		long start = System.nanoTime();
		// No timer here: the attempt's client waits at most responseTimeout for the
		// response (Reactor Netty's
		// read timeout, armed once the request is sent), connecting and the pool wait
		// have bounds of their
		// own, and RequestDeadlineFilter bounds the whole exchange.
		return call.chain()
			.filter(call.exchange())
			.then(Mono.fromSupplier(() -> new Outcome(call.exchange().getResponse().getStatusCode(), null)))
			.onErrorResume(error -> Mono.just(new Outcome(null, error)))
			// A client that goes away leaves no verdict on the upstream, and must not
			// hold a half-open trial slot.
			.doOnCancel(() -> call.breaker().releasePermission())
			.flatMap(outcome -> decide(call, number, System.nanoTime() - start, outcome));
	}

	private Mono<Void> decide(Call call, int number, long nanos, Outcome outcome) {
		ResilienceConfig.RetryPolicy retry = call.policy().retry();
		if (outcome.error() == null) {
			int status = outcome.status() == null ? 200 : outcome.status().value();
			if (isFailure(status)) {
				call.breaker().onError(nanos, TimeUnit.NANOSECONDS, new UpstreamStatusException(status));
			}
			else {
				call.breaker().onSuccess(nanos, TimeUnit.NANOSECONDS);
			}
			if (!retry.statuses().contains(status) || !call.idempotent()) {
				return Mono.empty();
			}
			Duration retryAfter = retryAfter(call.exchange().getResponse().getHeaders());
			if (retryAfter != null && retryAfter.compareTo(retry.maxRetryAfter()) > 0) {
				return Mono.empty();
			}
			return retryOrElse(call, number, "status_" + status, retryAfter, Mono::empty);
		}
		Throwable error = outcome.error();
		String reason = reason(error);
		if (reason == null) {
			// Not the upstream's doing (e.g. the request body passed the edge cap): no
			// verdict on its health.
			call.breaker().releasePermission();
			return Mono.error(error);
		}
		call.breaker().onError(nanos, TimeUnit.NANOSECONDS, error);
		if (reason.equals("connect_failure")) {
			Call failover = failover(call);
			if (failover != null) {
				return attempt(failover, number + 1);
			}
		}
		boolean retryable = switch (reason) {
			case "connect_failure" -> retry.onConnectFailure() && call.resendable();
			case "reset" -> retry.onReset() && call.idempotent();
			case "timeout" -> retry.onTimeout() && call.idempotent();
			default -> false;
		};
		Mono<Void> fail = Mono.error(() -> reason.equals("timeout") ? new ProblemException(ProblemType.UPSTREAM_TIMEOUT,
				"The " + call.target().service() + " service did not answer within "
						+ call.policy().responseTimeout().toMillis() + " ms.",
				error) : error);
		return retryable ? retryOrElse(call, number, reason, null, () -> fail) : fail;
	}

	private Mono<Void> retryOrElse(Call call, int number, String reason, Duration retryAfter,
			Supplier<Mono<Void>> otherwise) {
		ResilienceConfig.RetryPolicy retry = call.policy().retry();
		if (number >= retry.maxAttempts()) {
			return otherwise.get();
		}
		if (!call.budget().tryRetry()) {
			metrics.budgetExhausted(call.routeId(), call.target());
			return otherwise.get();
		}
		if (!call.breaker().tryAcquirePermission()) {
			return otherwise.get();
		}
		metrics.retry(call.routeId(), call.target(), reason);
		Duration backoff = retry.backoff(number, ThreadLocalRandom.current().nextDouble());
		Duration delay = retryAfter != null && retryAfter.compareTo(backoff) > 0 ? retryAfter : backoff;
		if (logger.isDebugEnabled()) {
			logger.debug("Retrying " + call.target().key() + " after " + reason + " in " + delay.toMillis()
					+ " ms (attempt " + (number + 1) + " of " + retry.maxAttempts() + ")");
		}
		// Drops the failed attempt's connection and response headers, and lets the
		// routing filter run again.
		ServerWebExchangeUtils.reset(call.exchange());
		return Mono.delay(delay).then(Mono.defer(() -> attempt(call, number + 1)));
	}

	/**
	 * The retry reason for an upstream failure, or null when the failure is not the
	 * upstream's.
	 */
	private static String reason(Throwable error) {
		if (ErrorMap.isPoolExhausted(error)) {
			return null;
		}
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			if (cause instanceof ConnectException || cause instanceof ConnectTimeoutException
					|| cause instanceof NoRouteToHostException || cause instanceof UnknownHostException) {
				return "connect_failure";
			}
			// Closed before the answer was whole, or reset (an RST reaches Netty as an
			// IOException, not a close).
			if (cause instanceof PrematureCloseException || AbortedException.isConnectionReset(cause)) {
				return "reset";
			}
			if (cause instanceof io.netty.handler.timeout.ReadTimeoutException) {
				return "timeout";
			}
		}
		return null;
	}

	private Duration retryAfter(HttpHeaders headers) {
		String value = headers.getFirst(HttpHeaders.RETRY_AFTER);
		if (value == null) {
			return null;
		}
		try {
			return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
		}
		catch (NumberFormatException ex) {
			try {
				long at = headers.getFirstDate(HttpHeaders.RETRY_AFTER);
				return Duration.ofMillis(Math.max(0, at - clock.millis()));
			}
			catch (IllegalArgumentException unparseable) {
				return null;
			}
		}
	}

	/**
	 * Sends a request whose connection to the picked colour failed to the route's
	 * fallback, at once: null when there is none that can take it, or the request already
	 * went there.
	 */
	private Call failover(Call call) {
		ResilienceConfig cfg = config.get();
		ServerWebExchange exchange = call.exchange();
		RequestState state = RequestState.of(exchange);
		FallbackTarget fallback = cfg == null ? null : fallback(cfg, call.routeId(), state.pick(), call.target(),
				exchange.getRequiredAttribute(GATEWAY_REQUEST_URL_ATTR));
		if (fallback == null) {
			return null;
		}
		metrics.fallback(call.routeId(), call.target(), fallback.target(), "connect_failure");
		if (logger.isDebugEnabled()) {
			logger.debug("Connecting to " + call.target().key() + " failed; sending the request to its fallback "
					+ fallback.target().key());
		}
		// Drops the failed attempt's state and lets the routing filter run again, now
		// towards the fallback.
		ServerWebExchangeUtils.reset(exchange);
		exchange.getAttributes().put(GATEWAY_REQUEST_URL_ATTR, fallback.url());
		ResilienceConfig.UpstreamPolicy upstream = cfg.upstream(fallback.target().service());
		state.target(fallback.target(), clients.client(fallback.target(), upstream.pool(),
				call.policy().connectTimeout(), call.policy().responseTimeout()));
		RetryBudget budget = budgets.get(fallback.target(), upstream.budget());
		budget.onRequest();
		return new Call(exchange, call.chain(), call.routeId(), call.policy(), fallback.target(), fallback.breaker(),
				budget, call.idempotent(), call.resendable());
	}

	/**
	 * The route's fallback, the request's URL pointed at it, and a trial permission taken
	 * from its breaker.
	 */
	private record FallbackTarget(UpstreamTarget target, URI url, CircuitBreaker breaker) {
	}

	/**
	 * The route's fallback for a request to {@code url} that {@code from} cannot take,
	 * with a permission of its breaker taken; null when the route has none, it is
	 * {@code from} itself, it fails its health check or its breaker lets no call through.
	 * A fallback colour is the pick's to name ({@link ColourPick#colour}); a fallback URI
	 * is pointed at as a colour is.
	 */
	private FallbackTarget fallback(ResilienceConfig cfg, String routeId, ColourPick pick, UpstreamTarget from,
			URI url) {
		ResilienceConfig.Fallback fallback = cfg.fallback(routeId);
		if (fallback == null) {
			return null;
		}
		String service = from.service();
		ColourPick.Retarget to;
		if (fallback.uri() != null) {
			UpstreamColour uri = UpstreamColour.of("fallback", fallback.uri(), 0);
			to = new ColourPick.Retarget(new UpstreamTarget(service, uri.name(), uri.origin()), uri.retarget(url));
		}
		else {
			to = pick.colour(fallback.colour(), url);
			if (to == null || !health.isHealthy(service, to.target().colour())) {
				return null;
			}
		}
		if (to.target().origin().equals(from.origin())) {
			return null;
		}
		CircuitBreaker breaker = breakers.get(to.target(), cfg.upstream(service).breaker());
		return breaker.tryAcquirePermission() ? new FallbackTarget(to.target(), to.url(), breaker) : null;
	}

	private static ProblemException noHealthyColour(String service) {
		return new ProblemException(ProblemType.NO_HEALTHY_UPSTREAM,
				"No colour of the " + service + " service is passing its health check.", Map.of(),
				NO_HEALTHY_RETRY_AFTER_SECONDS, null);
	}

	private static boolean hasBody(ServerHttpRequest request) {
		HttpHeaders headers = request.getHeaders();
		return headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
	}

	/**
	 * The call of a body that was not cached: once streamed, it cannot be sent again, so
	 * no attempt follows.
	 */
	private static Call sentOnce(Call call) {
		return new Call(call.exchange(), call.chain(), call.routeId(), call.policy(), call.target(), call.breaker(),
				call.budget(), false, false);
	}

	private static Call withRequest(Call call, ServerWebExchange exchange) {
		return new Call(exchange, call.chain(), call.routeId(), call.policy(), call.target(), call.breaker(),
				call.budget(), call.idempotent(), call.resendable());
	}

	@Override
	public int getOrder() {
		return GatewayStage.RESILIENCE.order();
	}

	/**
	 * Whether an answer counts against the upstream's breaker: a server error status HTTP
	 * defines (500 to 511). A 5xx outside that registry is the application's own answer,
	 * not an outage: Convex answers a function that threw with 560 and a JSON body its
	 * clients read.
	 */
	static boolean isFailure(int status) {
		return status >= 500 && HttpStatus.resolve(status) != null;
	}

	/** Marks a 5xx answer as a breaker failure. */
	static final class UpstreamStatusException extends RuntimeException {

		UpstreamStatusException(int status) {
			super("upstream answered " + status, null, false, false);
		}

	}

}
