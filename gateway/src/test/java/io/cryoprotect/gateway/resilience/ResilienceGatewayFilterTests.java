package io.cryoprotect.gateway.resilience;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.cryoprotect.gateway.configfile.ConfigFiles;
import io.cryoprotect.gateway.errors.ProblemException;
import io.cryoprotect.gateway.errors.ProblemType;
import io.cryoprotect.gateway.observability.TestUpstreamPhases;
import io.cryoprotect.gateway.proxy.UpstreamClients;
import io.cryoprotect.gateway.support.ColourPick;
import io.cryoprotect.gateway.support.MutableClock;
import io.cryoprotect.gateway.support.RequestState;
import io.cryoprotect.gateway.support.UpstreamTarget;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Signal;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquireTimeoutException;
import reactor.test.StepVerifier;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * {@link ResilienceGatewayFilter}'s decisions, one row each, without a gateway: the
 * filter runs over a {@link MockServerWebExchange}, a scripted chain stands in for the
 * routing filter and the upstream (each attempt gets the next scripted answer), backoff
 * and {@code Retry-After} run on virtual time, and the breakers and retry budgets on
 * hand-moved clocks. The matrix crosses every retry reason with the request's method and
 * body, {@code Retry-After}, the retry budget and the breaker state; the tables after it
 * pin each dimension's finer cases, the backoff and the fallbacks.
 */
class ResilienceGatewayFilterTests {

	private static final UpstreamTarget BLUE = new UpstreamTarget("flask-api", "blue", "http://127.0.0.1:9101");

	private static final UpstreamTarget GREEN = new UpstreamTarget("flask-api", "green", "http://127.0.0.1:9102");

	private static final String PATH = "/api/v1/molecules";

	private static final String BODY = "{\"name\":\"VS55\"}";

	/**
	 * One retry at most, 100 ms after the first attempt (no jitter), a Retry-After of up
	 * to 2 s waited for.
	 */
	private static final String PRESET = """
			    connectTimeout: 500ms
			    responseTimeout: 2s
			    requestTimeout: 10s
			    retry:
			      maxAttempts: %d
			      initialBackoff: 100ms
			      maxBackoff: 300ms
			      multiplier: 2.0
			      jitter: 0.0
			      retryOn: [connect-failure, reset, timeout, 502, 503, 504]
			      maxRetryAfter: 2s
			""";

	/**
	 * Breakers open at half of 4 calls failing and allow one trial call after 30 s; the
	 * budget has a floor of 10 retries per 10 s window.
	 */
	private static final String CONFIG = """
			defaultPreset: once-retried
			presets:
			  once-retried:
			%s  persistent:
			%sroutes:
			  flask-api:
			    preset: once-retried
			  with-fallback:
			    preset: once-retried
			    fallback: {colour: green}
			  with-fallback-uri:
			    preset: once-retried
			    fallback: {uri: 'http://127.0.0.1:9109'}
			  persistent:
			    preset: persistent
			upstreams:
			  defaults:
			    breaker:
			      failureRateThreshold: 50
			      slowCallRateThreshold: 100
			      slowCallDuration: 10s
			      slidingWindowSize: 4
			      minimumNumberOfCalls: 4
			      waitInOpenState: 30s
			      permittedCallsInHalfOpenState: 1
			    retryBudget: {ratio: 0.2, minRetriesPerSecond: 1, window: 10s}
			    pool: {maxConnections: 4, pendingAcquireMaxCount: 100, pendingAcquireTimeout: 2s, maxIdleTime: 200ms, maxLifeTime: 1m, evictionInterval: 100ms}
			    healthCheck: {enabled: false, path: /health, interval: 1s, timeout: 500ms, healthyThreshold: 1, unhealthyThreshold: 1}
			"""
		.formatted(PRESET.formatted(2), PRESET.formatted(4));

	private static final ResilienceConfig POLICIES = ResilienceConfigLoader
		.loadFiles(ConfigFiles.of("filters-conf", new TreeMap<>(Map.of("resilience.yml", CONFIG)), new TreeMap<>()));

	private static final ResilienceConfig.UpstreamPolicy UPSTREAM = POLICIES.upstream("flask-api");

	private static final Duration BACKOFF = Duration.ofMillis(100);

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final AtomicLong nanos = new AtomicLong(Duration.ofHours(1).toNanos());

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final CircuitBreakers breakers = new CircuitBreakers(clock, meters);

	private final RetryBudgets budgets = new RetryBudgets(nanos::get);

	private final UpstreamClients clients = new UpstreamClients(TestUpstreamPhases.create(meters));

	/** Colours whose health check fails. */
	private final Set<String> unhealthy = new HashSet<>();

	private final ResilienceGatewayFilter filter = new ResilienceGatewayFilter(() -> POLICIES, breakers, budgets,
			clients, new ResilienceMetrics(meters), (service, colour) -> !unhealthy.contains(colour),
			new RetryBuffers(1 << 20, 1 << 20, meters), clock);

	private final ScriptedUpstream upstream = new ScriptedUpstream();

	@AfterEach
	void disposePools() {
		clients.destroy();
	}

	// The matrix

	/** How the first attempt failed. */
	enum Reason {

		STATUS_502("502", "status_502"), STATUS_503("503", "status_503"), STATUS_504("504", "status_504"),
		CONNECT_FAILURE("connection refused", "connect_failure"), RESET("reset mid-response", "reset"),
		TIMEOUT("no response within responseTimeout", "timeout");

		final String label;

		/** The {@code reason} tag of {@code gateway_retries_total}. */
		final String tag;

		Reason(String label, String tag) {
			this.label = label;
			this.tag = tag;
		}

		boolean isStatus() {
			return name().startsWith("STATUS_");
		}

		Reply reply(RetryAfter retryAfter) {
			return switch (this) {
				case STATUS_502, STATUS_503, STATUS_504 -> Reply.status(Integer.parseInt(label), retryAfter.value);
				case CONNECT_FAILURE -> Reply.refused(new ConnectException("Connection refused"));
				case RESET -> Reply.failure(PrematureCloseException.TEST_EXCEPTION);
				case TIMEOUT -> Reply.failure(ReadTimeoutException.INSTANCE);
			};
		}

		/**
		 * Not retried, the failure reaches the client as the upstream gave it, or as a
		 * timeout problem.
		 */
		void assertPassedOn(Answer answer, ServerWebExchange exchange, RetryAfter retryAfter) {
			switch (this) {
				case STATUS_502, STATUS_503, STATUS_504 -> {
					assertThat(answer.error()).isNull();
					assertThat(exchange.getResponse().getStatusCode())
						.isEqualTo(HttpStatusCode.valueOf(Integer.parseInt(label)));
					assertThat(exchange.getResponse().getHeaders().getFirst(HttpHeaders.RETRY_AFTER))
						.isEqualTo(retryAfter.value);
				}
				case CONNECT_FAILURE -> assertThat(answer.error()).isInstanceOf(ConnectException.class);
				case RESET -> assertThat(answer.error()).isSameAs(PrematureCloseException.TEST_EXCEPTION);
				case TIMEOUT -> assertThat(answer.error()).isInstanceOfSatisfying(ProblemException.class, problem -> {
					assertThat(problem.problemType()).isEqualTo(ProblemType.UPSTREAM_TIMEOUT);
					assertThat(problem).hasMessage("The flask-api service did not answer within 2000 ms.")
						.hasCause(ReadTimeoutException.INSTANCE);
				});
			}
		}

		@Override
		public String toString() {
			return label;
		}

	}

	/**
	 * The request, and the failures it is retried on: the decision on method and body,
	 * written out.
	 */
	enum Request {

		GET(HttpMethod.GET, false, false, EnumSet.allOf(Reason.class)),
		DELETE(HttpMethod.DELETE, false, false, EnumSet.allOf(Reason.class)),
		PUT_WITH_BODY(HttpMethod.PUT, true, false, EnumSet.allOf(Reason.class)),
		POST_WITH_BODY_AND_IDEMPOTENCY_KEY(HttpMethod.POST, true, true, EnumSet.allOf(Reason.class)),
		/**
		 * Not idempotent, and its body may have reached the upstream: never sent twice.
		 */
		POST_WITH_BODY(HttpMethod.POST, true, false, EnumSet.noneOf(Reason.class)),
		PATCH_WITH_BODY(HttpMethod.PATCH, true, false, EnumSet.noneOf(Reason.class)),
		/**
		 * Not idempotent, but nothing reached the upstream when the connection was
		 * refused.
		 */
		POST_WITHOUT_BODY(HttpMethod.POST, false, false, EnumSet.of(Reason.CONNECT_FAILURE));

		final HttpMethod method;

		final boolean body;

		final boolean idempotencyKey;

		final Set<Reason> retriedOn;

		Request(HttpMethod method, boolean body, boolean idempotencyKey, Set<Reason> retriedOn) {
			this.method = method;
			this.body = body;
			this.idempotencyKey = idempotencyKey;
			this.retriedOn = retriedOn;
		}

		/** What every attempt that reached the upstream must have sent. */
		String sentBody() {
			return body ? BODY : "";
		}

	}

	/** The first attempt's {@code Retry-After}: only an answer with a status has one. */
	enum RetryAfter {

		ABSENT(null, true, BACKOFF, ""), WITHIN_MAX("1", true, Duration.ofSeconds(1), " with Retry-After 1 s"),
		/**
		 * Longer than maxRetryAfter: the client is told to come back, the gateway does
		 * not wait.
		 */
		BEYOND_MAX("30", false, null, " with Retry-After 30 s");

		final String value;

		final boolean allowsRetry;

		/** The wait before the retry: the backoff, or a longer Retry-After. */
		final Duration wait;

		final String label;

		RetryAfter(String value, boolean allowsRetry, Duration wait, String label) {
			this.value = value;
			this.allowsRetry = allowsRetry;
			this.wait = wait;
			this.label = label;
		}

		@Override
		public String toString() {
			return label;
		}

	}

	enum Budget {

		LEFT("budget left", budget -> {
		}), SPENT("budget spent", budget -> {
			while (budget.tryRetry()) {
				// Another request's retries took the whole window.
			}
		});

		final String label;

		final Consumer<RetryBudget> prepare;

		Budget(String label, Consumer<RetryBudget> prepare) {
			this.label = label;
			this.prepare = prepare;
		}

		@Override
		public String toString() {
			return label;
		}

	}

	/**
	 * The picked colour's breaker, and the calls it lets through: a half-open one only
	 * its trial call.
	 */
	enum Breaker {

		CLOSED("breaker closed", true, true), HALF_OPEN("breaker half-open", true, false),
		OPEN("breaker open", false, false);

		final String label;

		final boolean allowsFirstAttempt;

		final boolean allowsRetry;

		Breaker(String label, boolean allowsFirstAttempt, boolean allowsRetry) {
			this.label = label;
			this.allowsFirstAttempt = allowsFirstAttempt;
			this.allowsRetry = allowsRetry;
		}

		void prepare(CircuitBreaker breaker, MutableClock clock) {
			if (this != CLOSED) {
				failCalls(breaker, 4);
			}
			if (this == HALF_OPEN) {
				clock.advance(UPSTREAM.breaker().waitInOpenState().plusMillis(1));
			}
		}

		/**
		 * The state after a failed first attempt: a failed trial call opens the breaker
		 * again.
		 */
		State after() {
			return this == CLOSED ? State.CLOSED : State.OPEN;
		}

		@Override
		public String toString() {
			return label;
		}

	}

	enum Verdict {

		/** The breaker refused: no attempt, 503 upstream-unavailable. */
		REFUSED,
		/** One attempt; its failure is the answer. */
		PASSED_ON,
		/**
		 * Retried once, after the backoff or Retry-After; the retry's 200 is the answer.
		 */
		RETRIED

	}

	static Stream<Arguments> matrix() {
		List<Arguments> rows = new ArrayList<>();
		for (Request request : Request.values()) {
			for (Reason reason : Reason.values()) {
				for (RetryAfter retryAfter : reason.isStatus() ? RetryAfter.values()
						: new RetryAfter[] { RetryAfter.ABSENT }) {
					for (Budget budget : Budget.values()) {
						for (Breaker breaker : Breaker.values()) {
							Verdict verdict = !breaker.allowsFirstAttempt ? Verdict.REFUSED
									: wantsRetry(request, reason, retryAfter) && budget == Budget.LEFT
											&& breaker.allowsRetry ? Verdict.RETRIED : Verdict.PASSED_ON;
							rows.add(arguments(request, reason, retryAfter, budget, breaker, verdict));
						}
					}
				}
			}
		}
		return rows.stream();
	}

	/**
	 * Whether the request would be retried after this failure, budget and breaker
	 * permitting.
	 */
	private static boolean wantsRetry(Request request, Reason reason, RetryAfter retryAfter) {
		return request.retriedOn.contains(reason) && retryAfter.allowsRetry;
	}

	@ParameterizedTest(name = "{0} answered {1}{2}, {3}, {4}: {5}")
	@MethodSource("matrix")
	void decision(Request request, Reason reason, RetryAfter retryAfter, Budget budget, Breaker breaker,
			Verdict verdict) {
		budget.prepare.accept(budgets.get(BLUE, UPSTREAM.budget()));
		CircuitBreaker blue = breakers.get(BLUE, UPSTREAM.breaker());
		breaker.prepare(blue, clock);
		upstream.script(reason.reply(retryAfter), Reply.status(200));
		MockServerWebExchange exchange = exchange("flask-api", request, true);

		Answer answer = send(exchange);

		switch (verdict) {
			case REFUSED -> {
				assertThat(upstream.attempts).isEmpty();
				assertThat(answer.error()).isInstanceOfSatisfying(ProblemException.class, problem -> {
					assertThat(problem.problemType()).isEqualTo(ProblemType.UPSTREAM_UNAVAILABLE);
					assertThat(problem.retryAfterSeconds()).as("the breaker's wait, all of it ahead").isEqualTo(30);
				});
				assertThat(count("gateway.circuit.breaker.rejected")).isEqualTo(1);
			}
			case PASSED_ON -> {
				assertThat(upstream.attempts).hasSize(1);
				assertThat(answer.after()).as("answered at once").isZero();
				reason.assertPassedOn(answer, exchange, retryAfter);
			}
			case RETRIED -> {
				assertThat(upstream.attempts).hasSize(2);
				assertThat(upstream.attempts.get(1).at()).as("the retry waited").isEqualTo(retryAfter.wait);
				assertThat(answer.after()).isEqualTo(retryAfter.wait);
				assertThat(answer.error()).isNull();
				assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatusCode.valueOf(200));
				assertThat(exchange.getResponse().getHeaders().getFirst(HttpHeaders.RETRY_AFTER))
					.as("the failed attempt's headers are gone")
					.isNull();
			}
		}
		RequestState state = RequestState.of(exchange);
		assertThat(state.attempts()).isEqualTo(upstream.attempts.size());
		assertThat(upstream.attempts).allSatisfy(attempt -> {
			assertThat(attempt.target()).isEqualTo(BLUE);
			assertThat(attempt.body()).isEqualTo(attempt.connected() ? request.sentBody() : null);
		});
		assertThat(count("gateway.retries", "reason", reason.tag)).isEqualTo(verdict == Verdict.RETRIED ? 1 : 0);
		assertThat(count("gateway.retry.budget.exhausted"))
			.isEqualTo(wantsRetry(request, reason, retryAfter) && breaker.allowsFirstAttempt && budget == Budget.SPENT
					? 1 : 0);
		assertThat(blue.getState()).isEqualTo(breaker.after());
	}

	// Each dimension's finer cases

	@ParameterizedTest(name = "{0}: retried {1}, a breaker failure {2}")
	@CsvSource(delimiter = '|', textBlock = """
			200 | false | false
			404 | false | false
			500 | false | true
			501 | false | true
			502 | true  | true
			503 | true  | true
			504 | true  | true
			505 | false | true
			560 | false | false
			""")
	void statusesRetriedAndChargedToTheBreaker(int status, boolean retried, boolean breakerFailure) {
		// 560 lies outside HTTP's registry: Convex's own answer for a function that
		// threw, not an outage.
		upstream.script(Reply.status(status, null), Reply.status(200));
		MockServerWebExchange exchange = exchange("flask-api", Request.GET, true);
		send(exchange);
		assertThat(upstream.attempts).hasSize(retried ? 2 : 1);
		CircuitBreaker.Metrics calls = breakers.get(BLUE, UPSTREAM.breaker()).getMetrics();
		assertThat(calls.getNumberOfFailedCalls()).isEqualTo(breakerFailure ? 1 : 0);
		assertThat(calls.getNumberOfSuccessfulCalls()).isEqualTo(retried || !breakerFailure ? 1 : 0);
	}

	static Stream<Arguments> errors() {
		return Stream.of(
				arguments("connection refused", Reply.refused(new ConnectException("Connection refused")),
						"connect_failure"),
				arguments("connect timeout", Reply.refused(new ConnectTimeoutException("connection timed out")),
						"connect_failure"),
				arguments("no route to host", Reply.refused(new NoRouteToHostException("No route to host")),
						"connect_failure"),
				arguments("unknown host", Reply.refused(new UnknownHostException("flask")), "connect_failure"),
				arguments("connection refused, wrapped",
						Reply.refused(new IllegalStateException(new ConnectException())), "connect_failure"),
				arguments("closed before the response was whole", Reply.failure(PrematureCloseException.TEST_EXCEPTION),
						"reset"),
				arguments("reset by peer", Reply.failure(new IOException("Connection reset by peer")), "reset"),
				arguments("response timeout", Reply.failure(ReadTimeoutException.INSTANCE), "timeout"),
				arguments("no free pooled connection",
						Reply.refused(new PoolAcquireTimeoutException(Duration.ofSeconds(2))), null),
				arguments("request body over the edge's cap",
						Reply.failure(new IllegalStateException("body too large")), null));
	}

	@ParameterizedTest(name = "{0}: {2}")
	@MethodSource("errors")
	void errorsAreRetriedByTheirReasonOrPassedOnWithoutAVerdictOnTheUpstream(String kind, Reply failure,
			String reason) {
		upstream.script(failure, Reply.status(200));
		MockServerWebExchange exchange = exchange("flask-api", Request.GET, true);
		Answer answer = send(exchange);
		CircuitBreaker.Metrics calls = breakers.get(BLUE, UPSTREAM.breaker()).getMetrics();
		if (reason != null) {
			assertThat(upstream.attempts).hasSize(2);
			assertThat(answer.error()).isNull();
			assertThat(count("gateway.retries", "reason", reason)).isEqualTo(1);
			assertThat(calls.getNumberOfFailedCalls()).isEqualTo(1);
		}
		else {
			assertThat(upstream.attempts).hasSize(1);
			assertThat(answer.error()).isSameAs(failure.error());
			assertThat(calls.getNumberOfBufferedCalls()).as("no verdict on the upstream").isZero();
		}
	}

	static Stream<Arguments> retryAfters() {
		return Stream.of(arguments("1", Duration.ofSeconds(1)),
				arguments("2, the longest allowed", Duration.ofSeconds(2)), arguments("3", null),
				arguments("0, shorter than the backoff", BACKOFF), arguments("-5", BACKOFF),
				arguments("soon, which is no Retry-After", BACKOFF),
				arguments("an HTTP date 2 s ahead", Duration.ofSeconds(2)), arguments("an HTTP date 3 s ahead", null),
				arguments("an HTTP date 1 min ago", BACKOFF));
	}

	@ParameterizedTest(name = "Retry-After {0}: retried after {1}")
	@MethodSource("retryAfters")
	void retryAfterIsWaitedForUpToTheLongestAllowed(String retryAfter, Duration wait) {
		upstream.script(Reply.status(503, headerValue(retryAfter)), Reply.status(200));
		MockServerWebExchange exchange = exchange("flask-api", Request.GET, true);
		Answer answer = send(exchange);
		if (wait == null) {
			assertThat(upstream.attempts).hasSize(1);
			assertThat(answer.after()).isZero();
			assertThat(exchange.getResponse().getHeaders().getFirst(HttpHeaders.RETRY_AFTER))
				.as("passed on to the client")
				.isEqualTo(headerValue(retryAfter));
		}
		else {
			assertThat(upstream.attempts).hasSize(2);
			assertThat(upstream.attempts.get(1).at()).isEqualTo(wait);
		}
	}

	/**
	 * The header value a row names: a number as it is, an HTTP date relative to the
	 * clock.
	 */
	private String headerValue(String retryAfter) {
		if (!retryAfter.startsWith("an HTTP date")) {
			return retryAfter.split("[ ,]")[0];
		}
		String[] words = retryAfter.split(" ");
		Duration offset = Duration.ofSeconds(Long.parseLong(words[3]) * (words[4].equals("min") ? 60 : 1));
		HttpHeaders headers = new HttpHeaders();
		headers.setDate(HttpHeaders.RETRY_AFTER,
				clock.instant().plus(retryAfter.endsWith("ago") ? offset.negated() : offset).toEpochMilli());
		return headers.getFirst(HttpHeaders.RETRY_AFTER);
	}

	@Test
	void aSpentBudgetRefillsAsItsWindowSlides() {
		RetryBudget budget = budgets.get(BLUE, UPSTREAM.budget());
		Budget.SPENT.prepare.accept(budget);
		upstream.script(Reply.status(503, null));
		send(exchange("flask-api", Request.GET, true));
		assertThat(upstream.attempts).as("no retry left in this window").hasSize(1);

		nanos.addAndGet(UPSTREAM.budget().window().toNanos());
		upstream.script(Reply.status(503, null), Reply.status(200));
		send(exchange("flask-api", Request.GET, true));
		assertThat(upstream.attempts).as("a whole window later").hasSize(3);
		assertThat(count("gateway.retry.budget.exhausted")).isEqualTo(1);
		assertThat(count("gateway.retries", "reason", "status_503")).isEqualTo(1);
	}

	@Test
	void backoffDoublesUpToItsCapUntilTheAttemptsAreUsedUp() {
		upstream.script(Reply.status(503, null), Reply.status(503, null), Reply.status(503, null),
				Reply.status(503, null));
		MockServerWebExchange exchange = exchange("persistent", Request.GET, true);
		StepVerifier.withVirtualTime(() -> filter.filter(exchange, upstream))
			.expectSubscription()
			.then(() -> assertThat(upstream.attempts).hasSize(1))
			.expectNoEvent(Duration.ofMillis(100))
			.then(() -> assertThat(upstream.attempts).hasSize(2))
			.expectNoEvent(Duration.ofMillis(200))
			.then(() -> assertThat(upstream.attempts).as("400 ms capped at maxBackoff").hasSize(3))
			.expectNoEvent(Duration.ofMillis(299))
			.then(() -> assertThat(upstream.attempts).hasSize(3))
			.thenAwait(Duration.ofMillis(1))
			.verifyComplete();
		assertThat(upstream.attempts).extracting(Attempt::at)
			.containsExactly(Duration.ZERO, Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofMillis(600));
		assertThat(exchange.getResponse().getStatusCode()).as("the last attempt's answer")
			.isEqualTo(HttpStatusCode.valueOf(503));
		assertThat(RequestState.of(exchange).attempts()).isEqualTo(4);
		assertThat(count("gateway.retries", "reason", "status_503")).isEqualTo(3);
	}

	@Test
	void aClientGoingAwayReleasesTheHalfOpenTrialCall() {
		CircuitBreaker blue = breakers.get(BLUE, UPSTREAM.breaker());
		Breaker.HALF_OPEN.prepare(blue, clock);
		upstream.script(Reply.hanging());
		Disposable request = filter.filter(exchange("flask-api", Request.GET, true), upstream).subscribe();
		assertThat(upstream.attempts).as("the trial call, waiting for its answer").hasSize(1);
		request.dispose();
		assertThat(blue.getState()).isEqualTo(State.HALF_OPEN);
		assertThat(blue.tryAcquirePermission()).as("the trial call is free for the next request").isTrue();
	}

	// Fallbacks

	/** The picked colour, blue, and what becomes of a request it cannot take. */
	enum Blue {

		/** Its breaker is open. */
		BREAKER_OPEN,
		/** No colour with weight passes its health check; its breaker is not asked. */
		UNHEALTHY,
		/** It refuses the connection. */
		REFUSES

	}

	private static final HttpStatusCode OK = HttpStatusCode.valueOf(200);

	static Stream<Arguments> fallbacks() {
		return Stream.of(
				arguments("with-fallback", Blue.BREAKER_OPEN, Request.GET, "healthy", List.of(GREEN), "breaker_open",
						OK),
				arguments("with-fallback", Blue.UNHEALTHY, Request.GET, "healthy", List.of(GREEN), "unhealthy", OK),
				arguments("with-fallback", Blue.REFUSES, Request.GET, "healthy", List.of(BLUE, GREEN),
						"connect_failure", OK),
				// Nothing reached blue, so even a POST goes on to green, body and all.
				arguments("with-fallback", Blue.REFUSES, Request.POST_WITH_BODY, "healthy", List.of(BLUE, GREEN),
						"connect_failure", OK),
				arguments("with-fallback", Blue.BREAKER_OPEN, Request.POST_WITH_BODY, "healthy", List.of(GREEN),
						"breaker_open", OK),
				arguments("with-fallback-uri", Blue.BREAKER_OPEN, Request.GET, "healthy",
						List.of(new UpstreamTarget("flask-api", "fallback", "http://127.0.0.1:9109")), "breaker_open",
						OK),
				arguments("with-fallback", Blue.BREAKER_OPEN, Request.GET, "failing its health check", List.of(), null,
						ProblemType.UPSTREAM_UNAVAILABLE),
				arguments("with-fallback", Blue.BREAKER_OPEN, Request.GET, "with its breaker open", List.of(), null,
						ProblemType.UPSTREAM_UNAVAILABLE),
				arguments("with-fallback", Blue.UNHEALTHY, Request.GET, "failing its health check", List.of(), null,
						ProblemType.NO_HEALTHY_UPSTREAM),
				arguments("flask-api", Blue.UNHEALTHY, Request.GET, "absent", List.of(), null,
						ProblemType.NO_HEALTHY_UPSTREAM),
				// Green cannot take it: blue's own retry policy applies, a GET is retried
				// on blue after the backoff...
				arguments("with-fallback", Blue.REFUSES, Request.GET, "failing its health check", List.of(BLUE, BLUE),
						null, OK),
				// ...and a POST with a body is not, though nothing reached blue: the body
				// cannot be resent.
				arguments("with-fallback", Blue.REFUSES, Request.POST_WITH_BODY, "failing its health check",
						List.of(BLUE), null, ConnectException.class));
	}

	/**
	 * @param answer the status the client gets, the problem the filter raises, or the
	 * upstream error it passes on
	 */
	@ParameterizedTest(name = "{0}: blue {1}, {2}, fallback {3}: called {4}, fallback for {5}, answer {6}")
	@MethodSource("fallbacks")
	void theFallbackTakesWhatThePickedColourCannot(String route, Blue blue, Request request, String green,
			List<UpstreamTarget> called, String fallbackReason, Object answer) {
		if (blue == Blue.BREAKER_OPEN) {
			Breaker.OPEN.prepare(breakers.get(BLUE, UPSTREAM.breaker()), clock);
		}
		if (green.equals("failing its health check")) {
			unhealthy.add("green");
		}
		if (green.equals("with its breaker open")) {
			Breaker.OPEN.prepare(breakers.get(GREEN, UPSTREAM.breaker()), clock);
		}
		if (blue == Blue.REFUSES) {
			upstream.script(Reply.refused(new ConnectException("Connection refused")));
		}
		upstream.script(Reply.status(200));
		MockServerWebExchange exchange = exchange(route, request, blue != Blue.UNHEALTHY);

		Answer got = send(exchange);

		assertThat(upstream.attempts).extracting(Attempt::target).containsExactlyElementsOf(called);
		if (answer instanceof ProblemType problem) {
			assertThat(got.error()).isInstanceOfSatisfying(ProblemException.class,
					refused -> assertThat(refused.problemType()).isEqualTo(problem));
		}
		else if (answer instanceof Class<?> error) {
			assertThat(got.error()).isInstanceOf(error);
		}
		else {
			assertThat(got.error()).isNull();
			assertThat(exchange.getResponse().getStatusCode()).isEqualTo(answer);
		}
		if (fallbackReason != null) {
			Attempt last = upstream.attempts.get(upstream.attempts.size() - 1);
			assertThat(last.url()).isEqualTo(URI.create(last.target().origin() + PATH));
			assertThat(last.body()).as("the whole body, sent once").isEqualTo(request.sentBody());
			assertThat(got.after()).as("at once: no backoff before a fallback").isZero();
			assertThat(count("gateway.fallbacks", "reason", fallbackReason)).isEqualTo(1);
			assertThat(count("gateway.retries")).as("a move to the fallback is no retry").isZero();
		}
		assertThat(RequestState.of(exchange).attempts()).isEqualTo(called.size());
	}

	// The scripted upstream

	/**
	 * One scripted answer: a status (with a Retry-After or not), or a failure with or
	 * without a connection.
	 */
	record Reply(int status, String retryAfter, Throwable error, boolean connected, boolean hangs) {

		static Reply status(int status) {
			return status(status, null);
		}

		static Reply status(int status, String retryAfter) {
			return new Reply(status, retryAfter, null, true, false);
		}

		/**
		 * Failed once connected: the request, body and all, may have reached the
		 * upstream.
		 */
		static Reply failure(Throwable error) {
			return new Reply(0, null, error, true, false);
		}

		/** Failed before a connection was made: the body was never read. */
		static Reply refused(Throwable error) {
			return new Reply(0, null, error, false, false);
		}

		static Reply hanging() {
			return new Reply(0, null, null, true, true);
		}

	}

	/**
	 * One attempt as the upstream saw it: where it went, the body it got (null: not
	 * connected), and when.
	 */
	record Attempt(UpstreamTarget target, URI url, String body, Duration at) {

		boolean connected() {
			return body != null;
		}

	}

	/**
	 * Stands in for the routing filter and the upstream behind it: marks the exchange
	 * routed (so the filter must reset it for another attempt), reads the request body
	 * once connected, and answers each attempt with the next scripted reply, setting the
	 * status and headers as the routing filter does.
	 */
	private static final class ScriptedUpstream implements GatewayFilterChain {

		private final Deque<Reply> replies = new ArrayDeque<>();

		final List<Attempt> attempts = new ArrayList<>();

		void script(Reply... next) {
			replies.addAll(List.of(next));
		}

		@Override
		public Mono<Void> filter(ServerWebExchange exchange) {
			return Mono.defer(() -> {
				assertThat(ServerWebExchangeUtils.isAlreadyRouted(exchange)).as("reset before another attempt")
					.isFalse();
				assertThat(replies).as("an attempt more than scripted").isNotEmpty();
				ServerWebExchangeUtils.setAlreadyRouted(exchange);
				Reply reply = replies.remove();
				RequestState state = RequestState.of(exchange);
				assertThat(state.client()).as("the attempt's client").isNotNull();
				UpstreamTarget target = state.target();
				URI url = exchange.getRequiredAttribute(GATEWAY_REQUEST_URL_ATTR);
				Duration at = Duration.ofMillis(Schedulers.parallel().now(TimeUnit.MILLISECONDS));
				if (!reply.connected()) {
					attempts.add(new Attempt(target, url, null, at));
					return Mono.error(reply.error());
				}
				return DataBufferUtils.join(exchange.getRequest().getBody()).map(buffer -> {
					try {
						return buffer.toString(StandardCharsets.UTF_8);
					}
					finally {
						DataBufferUtils.release(buffer);
					}
				}).defaultIfEmpty("").flatMap(body -> {
					attempts.add(new Attempt(target, url, body, at));
					if (reply.hangs()) {
						return Mono.never();
					}
					if (reply.error() != null) {
						return Mono.error(reply.error());
					}
					exchange.getResponse().setStatusCode(HttpStatusCode.valueOf(reply.status()));
					if (reply.retryAfter() != null) {
						exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, reply.retryAfter());
						exchange.getAttributes()
							.put(ServerWebExchangeUtils.CLIENT_RESPONSE_HEADER_NAMES, Set.of(HttpHeaders.RETRY_AFTER));
					}
					return Mono.empty();
				});
			});
		}

	}

	// Helpers

	/** How the filter answered, and after how much virtual time. */
	record Answer(Duration after, Throwable error) {
	}

	/**
	 * Runs the filter on virtual time until it answers: backoffs and Retry-After pass
	 * without waiting.
	 */
	private Answer send(ServerWebExchange exchange) {
		AtomicReference<Answer> answer = new AtomicReference<>();
		StepVerifier.withVirtualTime(() -> filter.filter(exchange, upstream).materialize().elapsed())
			.thenAwait(Duration.ofMinutes(1))
			.consumeNextWith(end -> answer.set(new Answer(Duration.ofMillis(end.getT1()), errorOf(end.getT2()))))
			.verifyComplete();
		return answer.get();
	}

	private static Throwable errorOf(Signal<Void> signal) {
		return signal.isOnError() ? signal.getThrowable() : null;
	}

	/**
	 * A request on {@code routeId}, routed to blue: its pick, and the URL the routing
	 * filter will call.
	 */
	private static MockServerWebExchange exchange(String routeId, Request request, boolean pickHealthy) {
		MockServerHttpRequest.BodyBuilder builder = MockServerHttpRequest.method(request.method, PATH);
		if (request.idempotencyKey) {
			builder.header("Idempotency-Key", "k-1");
		}
		MockServerWebExchange exchange = MockServerWebExchange
			.from(request.body ? builder.contentType(MediaType.APPLICATION_JSON).contentLength(BODY.length()).body(BODY)
					: builder.build());
		exchange.getAttributes()
			.put(GATEWAY_ROUTE_ATTR,
					Route.async()
						.id(routeId)
						.uri(URI.create(BLUE.origin()))
						.asyncPredicate(any -> Mono.just(true))
						.build());
		exchange.getAttributes().put(GATEWAY_REQUEST_URL_ATTR, URI.create(BLUE.origin() + PATH));
		RequestState.of(exchange).pick(new Pick(pickHealthy));
		return exchange;
	}

	/** Routing's pick of blue; the route's other colour is green. */
	private record Pick(boolean healthy) implements ColourPick {

		@Override
		public UpstreamTarget target() {
			return BLUE;
		}

		@Override
		public Retarget colour(String colour, URI url) {
			UpstreamTarget to = switch (colour) {
				case "blue" -> BLUE;
				case "green" -> GREEN;
				default -> null;
			};
			return to == null ? null : new Retarget(to, URI.create(to.origin() + url.getRawPath()));
		}

	}

	private static void failCalls(CircuitBreaker breaker, int calls) {
		for (int i = 0; i < calls; i++) {
			assertThat(breaker.tryAcquirePermission()).isTrue();
			breaker.onError(1, TimeUnit.MILLISECONDS, new IllegalStateException("refused"));
		}
	}

	/**
	 * A counter's count over all its series with these tags; 0 when it was never
	 * incremented.
	 */
	private double count(String name, String... tags) {
		return meters.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
	}

}
