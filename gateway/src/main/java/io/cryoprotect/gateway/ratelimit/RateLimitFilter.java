package io.cryoprotect.gateway.ratelimit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import io.cryoprotect.gateway.chain.GatewayStage;
import io.cryoprotect.gateway.configfile.PolicyMode;
import io.cryoprotect.gateway.errors.ProblemException;
import io.cryoprotect.gateway.errors.ProblemType;
import io.cryoprotect.gateway.observability.RequestTrace;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Bandwidths;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Limit;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Rate;
import io.cryoprotect.gateway.ratelimit.RateLimitConfig.Tier;
import io.cryoprotect.gateway.support.Caller;
import io.cryoprotect.gateway.support.CappedBodyRequest;
import io.cryoprotect.gateway.support.IpLiteral;
import io.cryoprotect.gateway.support.Preflight;
import io.cryoprotect.gateway.support.RateLimitVerdict;
import io.cryoprotect.gateway.support.RequestLoop;
import io.cryoprotect.gateway.support.RequestState;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.channel.AbortedException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CACHED_REQUEST_BODY_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * Applies {@code ratelimits.yml}: every limit that matches a request takes its tokens
 * from the caller's bucket, and all must pass. A rejection in enforce mode is a 429
 * problem with {@code Retry-After} and the IETF
 * {@code RateLimit}/{@code RateLimit-Policy} headers; shadow mode counts it and forwards.
 * Allowed responses carry the headers too.
 * <p>
 * It runs in two stages. The first, right after identity, applies the limits keyed by
 * caller, IP or user, before any body is read. The second, after validation, applies the
 * limits keyed by a body field (the username submitted to {@code /auth/login}), reading
 * the body already cached by validation or, without it, once and capped.
 */
final class RateLimitFilter implements GlobalFilter, Ordered {

	/** Bodies read only for a body-keyed limit: auth forms are tiny. */
	static final int MAX_KEY_BODY_BYTES = 16 * 1024;

	static final String RATE_LIMIT = "RateLimit";

	static final String RATE_LIMIT_POLICY = "RateLimit-Policy";

	private static final long MAX_WAIT_NANOS = java.time.Duration.ofDays(1).toNanos();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HexFormat HEX = HexFormat.of();

	private final Supplier<RateLimitConfig> config;

	private final RateLimitBackend backend;

	private final RateLimitMetrics metrics;

	private final boolean bodyStage;

	private record Check(Limit limit, String key, Bandwidths bandwidths, int cost) {
	}

	private record Outcome(Check check, Probe probe) {
	}

	RateLimitFilter(Supplier<RateLimitConfig> config, RateLimitBackend backend, RateLimitMetrics metrics,
			boolean bodyStage) {
		this.config = config;
		this.backend = backend;
		this.metrics = metrics;
		this.bodyStage = bodyStage;
	}

	@Override
	public int getOrder() {
		return (bodyStage ? GatewayStage.RATE_LIMIT_BODY : GatewayStage.RATE_LIMIT).order();
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		RateLimitConfig cfg = config.get();
		Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
		ServerHttpRequest request = exchange.getRequest();
		// A CORS preflight is the browser asking permission for the real request, which
		// is the one counted.
		if (cfg == null || route == null || Preflight.is(request)) {
			return chain.filter(exchange);
		}
		PathContainer path = request.getPath().pathWithinApplication();
		List<Limit> limits = cfg.applicable(route.getId(), request.getMethod(), path);
		List<Limit> mine = null;
		for (Limit limit : limits) {
			if (limit.key().readsBody() == bodyStage) {
				mine = mine == null ? new ArrayList<>(limits.size()) : mine;
				mine.add(limit);
			}
		}
		if (mine == null) {
			return chain.filter(exchange);
		}
		long start = System.nanoTime();
		Tier tier = cfg.tier(RequestState.of(exchange).caller());
		List<Limit> applied = mine;
		if (!bodyStage) {
			return check(exchange, chain, route.getId(), path, tier, applied, null, start);
		}
		if (exchange.getAttribute(CACHED_REQUEST_BODY_ATTR) != null || !hasBody(request)) {
			return check(exchange, chain, route.getId(), path, tier, applied, parse(exchange), start);
		}
		return CappedBodyRequest
			.cacheBody(exchange, MAX_KEY_BODY_BYTES,
					() -> new ProblemException(ProblemType.PAYLOAD_TOO_LARGE,
							"The request body exceeds " + MAX_KEY_BODY_BYTES + " bytes."))
			// The client hung up mid-body: no one is left to answer.
			.onErrorResume(AbortedException.class, ex -> Mono.empty())
			.flatMap(cachedRequest -> {
				ServerWebExchange next = exchange.mutate().request(cachedRequest).build();
				return check(next, chain, route.getId(), path, tier, applied, parse(exchange), start);
			});
	}

	private Mono<Void> check(ServerWebExchange exchange, GatewayFilterChain chain, String routeId, PathContainer path,
			Tier tier, List<Limit> limits, JsonNode body, long start) {
		List<Check> checks = new ArrayList<>(limits.size());
		for (Limit limit : limits) {
			Bandwidths plan = limit.plan(tier);
			String key = plan == null ? null : key(limit, exchange, body);
			if (plan == null || key == null) {
				// Unlimited for this tier, or nothing to key on (an anonymous caller for
				// a per-user limit).
				continue;
			}
			checks.add(new Check(limit, limit.id() + ':' + tier + ':' + key, plan,
					limit.cost(routeId, exchange.getRequest().getMethod(), path)));
		}
		if (checks.isEmpty()) {
			return chain.filter(exchange);
		}
		if (!backend.shared()) {
			// Local buckets answer at once: no reactive plumbing per check.
			List<Outcome> outcomes = new ArrayList<>(checks.size());
			for (Check check : checks) {
				outcomes.add(new Outcome(check, backend.consumeLocal(check.key(), check.bandwidths(), check.cost())));
			}
			return decide(exchange, chain, routeId, tier, outcomes, start);
		}
		// The command timeouts are armed on the request's event loop, where the rest of
		// the request belongs:
		// Redis answers on Lettuce's I/O thread.
		Scheduler loop = RequestLoop.scheduler(exchange);
		Mono<List<Outcome>> outcomes = checks.size() == 1 ? consume(checks.get(0), loop).map(List::of)
				: Flux.fromIterable(checks).flatMapSequential(check -> consume(check, loop)).collectList();
		return outcomes.publishOn(loop).flatMap(list -> decide(exchange, chain, routeId, tier, list, start));
	}

	private Mono<Outcome> consume(Check check, Scheduler timer) {
		return backend.consume(check.key(), check.bandwidths(), check.cost(), timer)
			.map(probe -> new Outcome(check, probe));
	}

	private Mono<Void> decide(ServerWebExchange exchange, GatewayFilterChain chain, String routeId, Tier tier,
			List<Outcome> outcomes, long start) {
		Outcome rejected = null;
		Outcome reported = null;
		boolean shadowRejected = false;
		boolean degraded = false;
		List<String> policies = new ArrayList<>(outcomes.size() * 2);
		for (Outcome outcome : outcomes) {
			Limit limit = outcome.check().limit();
			Probe probe = outcome.probe();
			boolean enforced = limit.mode() == PolicyMode.enforce;
			String result = probe.consumed() ? "allowed" : enforced ? "rejected" : "shadow_rejected";
			metrics.decision(routeId, tier, limit.id(), result);
			if (probe.degraded()) {
				degraded = true;
				metrics.degraded(routeId, tier, limit.id());
			}
			if (!enforced) {
				// Shadow limits are invisible to clients.
				shadowRejected |= !probe.consumed();
				continue;
			}
			if (!probe.consumed()
					&& (rejected == null || probe.retryAfterNanos() > rejected.probe().retryAfterNanos())) {
				rejected = outcome;
			}
			if (probe.rate() != null) {
				for (Rate rate : probe.bandwidths().rates()) {
					policies.add(policy(limit, rate));
				}
				if (reported == null || probe.remaining() < reported.probe().remaining()) {
					reported = outcome;
				}
			}
		}
		RequestTrace.record(exchange, RequestTrace.Phase.RATE_LIMIT, System.nanoTime() - start);
		RequestState requestState = RequestState.of(exchange);
		requestState.rateLimit(rejected != null ? RateLimitVerdict.LIMITED : shadowRejected
				? RateLimitVerdict.SHADOW_LIMITED : degraded ? RateLimitVerdict.DEGRADED : RateLimitVerdict.ALLOWED);
		HttpHeaders headers = exchange.getResponse().getHeaders();
		if (!policies.isEmpty()) {
			String earlier = headers.getFirst(RATE_LIMIT_POLICY);
			headers.set(RATE_LIMIT_POLICY, (earlier == null ? "" : earlier + ", ") + String.join(", ", policies));
		}
		Outcome shown = rejected != null ? rejected : reported;
		// The body stage replaces the keyed stage's header only with a tighter one (or
		// its rejection).
		if (shown != null && shown.probe().rate() != null
				&& (rejected != null || shown.probe().remaining() < requestState.rateLimitShown())) {
			headers.set(RATE_LIMIT, state(shown));
			requestState.rateLimitShown(shown.probe().remaining());
		}
		if (rejected == null) {
			return chain.filter(exchange);
		}
		return Mono.error(tooMany(rejected, headers));
	}

	private static ProblemException tooMany(Outcome rejected, HttpHeaders headers) {
		Limit limit = rejected.check().limit();
		long retryAfter = Math.max(1, seconds(rejected.probe().retryAfterNanos()));
		Map<String, Object> extensions = new LinkedHashMap<>();
		extensions.put("limit", limit.id());
		Map<String, String> rateHeaders = new LinkedHashMap<>();
		if (headers.getFirst(RATE_LIMIT_POLICY) != null) {
			rateHeaders.put(RATE_LIMIT_POLICY, headers.getFirst(RATE_LIMIT_POLICY));
		}
		if (rejected.probe().rate() != null) {
			Rate rate = rejected.probe().rate();
			extensions.put("policy", rate.tokens() + " per " + rate.label() + " per " + limit.key());
			rateHeaders.put(RATE_LIMIT, headers.getFirst(RATE_LIMIT));
		}
		String detail = rejected.probe().rate() == null
				? "Rate limits cannot be checked right now; limit '" + limit.id()
						+ "' refuses requests until they can. Retry in " + retryAfter + " s."
				: "Too many requests: limit '" + limit.id() + "' allows " + rejected.probe().rate().tokens() + " per "
						+ rejected.probe().rate().label() + " per " + limit.key() + ". Retry in " + retryAfter + " s.";
		return new ProblemException(ProblemType.RATE_LIMITED, detail, extensions, retryAfter, null, rateHeaders);
	}

	/**
	 * An item of {@code RateLimit-Policy}: quota {@code q} per window {@code w} seconds.
	 */
	private static String policy(Limit limit, Rate rate) {
		return "\"" + limit.id() + '/' + rate.label() + "\";q=" + rate.tokens() + ";w=" + rate.window().toSeconds();
	}

	/**
	 * {@code RateLimit}: remaining {@code r} of the tightest policy and seconds {@code t}
	 * until it resets (or until a retry can pass).
	 */
	private static String state(Outcome outcome) {
		Probe probe = outcome.probe();
		long nanos = probe.consumed() ? probe.resetNanos() : probe.retryAfterNanos();
		return "\"" + outcome.check().limit().id() + '/' + probe.rate().label() + "\";r=" + probe.remaining() + ";t="
				+ seconds(nanos);
	}

	/**
	 * Whole seconds, rounded up, at most a day. Bucket4j answers {@code Long.MAX_VALUE}
	 * for a wait that can never end; a header must still say something finite.
	 */
	static long seconds(long nanos) {
		long capped = Math.min(Math.max(nanos, 0), MAX_WAIT_NANOS);
		return (capped + 999_999_999L) / 1_000_000_000L;
	}

	/**
	 * The caller's bucket key for a limit, or null when the request has nothing to key
	 * on.
	 */
	private static String key(Limit limit, ServerWebExchange exchange, JsonNode body) {
		RequestState state = RequestState.of(exchange);
		return switch (limit.key().kind()) {
			case caller -> {
				Caller caller = state.caller();
				yield caller != null ? "u:" + caller.subject() : "ip:" + ipKey(state.clientAddress());
			}
			case ip -> "ip:" + ipKey(state.clientAddress());
			case user -> {
				Caller caller = state.caller();
				yield caller == null ? null : "u:" + caller.subject();
			}
			case body -> {
				String value = field(body, limit.key().field());
				yield value == null ? null : "b:" + digest(value.strip().toLowerCase(Locale.ROOT));
			}
		};
	}

	/**
	 * An IPv4 address as it is; an IPv6 address by its /64 prefix, since one host is
	 * routinely given a whole /64 and could otherwise take a fresh bucket per request.
	 */
	static String ipKey(String address) {
		if (address.indexOf(':') < 0) {
			return address;
		}
		byte[] bytes = IpLiteral.bytes(address);
		if (bytes == null || bytes.length != 16) {
			return address;
		}
		// xxxx:xxxx:xxxx:xxxx::/64, without String.format's parsing per call.
		StringBuilder prefix = new StringBuilder(24);
		for (int i = 0; i < 8; i += 2) {
			String group = Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff));
			prefix.append("0000", group.length(), 4).append(group).append(':');
		}
		return prefix.append(":/64").toString();
	}

	private static String field(JsonNode body, String dotted) {
		if (body == null) {
			return null;
		}
		JsonNode node = body;
		for (String part : dotted.split("\\.")) {
			node = node.path(part);
		}
		return node.isString() && !node.asString().isBlank() ? node.asString() : null;
	}

	/** Usernames are kept in bucket keys (and Redis) only as a digest. */
	private static String digest(String value) {
		try {
			byte[] hash = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
			return HEX.formatHex(hash, 0, 16);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every JDK", ex);
		}
	}

	/**
	 * The cached body as JSON, or null when it is absent or not JSON (validation answers
	 * for that).
	 */
	private static JsonNode parse(ServerWebExchange exchange) {
		byte[] bytes = CappedBodyRequest.cachedBytes(exchange);
		if (bytes.length == 0) {
			return null;
		}
		try {
			return JSON.readTree(bytes);
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	private static boolean hasBody(ServerHttpRequest request) {
		HttpHeaders headers = request.getHeaders();
		return headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
	}

}
