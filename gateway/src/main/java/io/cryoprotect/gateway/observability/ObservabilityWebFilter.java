package io.cryoprotect.gateway.observability;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import io.cryoprotect.gateway.chain.GatewayStage;
import io.cryoprotect.gateway.edge.ManagementPort;
import io.cryoprotect.gateway.errors.ErrorMap;
import io.cryoprotect.gateway.errors.ProblemException;
import io.cryoprotect.gateway.errors.ProblemType;
import io.cryoprotect.gateway.support.BodyTap;
import io.cryoprotect.gateway.support.ClientConnection;
import io.cryoprotect.gateway.support.RequestBodyTimeoutException;
import io.cryoprotect.gateway.support.RequestId;
import io.cryoprotect.gateway.support.RequestState;
import io.cryoprotect.gateway.support.UpstreamTarget;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * Observes every public request from just after the request id is set to the end of the
 * response, then records the request timer, rejections, error groups, the access line and
 * the slow-request line.
 */
final class ObservabilityWebFilter implements WebFilter, Ordered {

	static final String NONE = "none";

	private static final Log slowLogger = LogFactory.getLog("cryoprotect.slow");

	private static final ProblemException BODY_TIMED_OUT = ErrorMap.toProblem(RequestBodyTimeoutException.INSTANCE);

	private final RequestMetrics metrics;

	private final AccessLog accessLog;

	private final ErrorGroups errorGroups;

	private final ObservabilityProperties.SlowRequest slow;

	private final Clock clock;

	private final ManagementPort management;

	ObservabilityWebFilter(RequestMetrics metrics, AccessLog accessLog, ErrorGroups errorGroups,
			ObservabilityProperties.SlowRequest slow, Clock clock, ManagementPort management) {
		this.management = management;
		this.metrics = metrics;
		this.accessLog = accessLog;
		this.errorGroups = errorGroups;
		this.slow = slow;
		this.clock = clock;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (management.serves(exchange)) {
			return chain.filter(exchange);
		}
		RequestTrace trace = new RequestTrace(System.nanoTime());
		exchange.getAttributes().put(RequestTrace.ATTR, trace);
		ServerHttpResponse response = exchange.getResponse();
		ServerWebExchange counted = exchange.mutate().response(new CountingResponse(exchange, trace)).build();
		return chain.filter(counted).doOnError(error -> {
			if (ClientConnection.bodyTimedOut(exchange)) {
				// Noted now, while the connection is live: once Reactor Netty has
				// terminated the request it reports
				// a placeholder channel without the edge's mark. Nothing is answered on
				// it: recorded below as 408.
				trace.problem(BODY_TIMED_OUT);
				return;
			}
			if (ClientConnection.closed(exchange)) {
				// Not a failure of the gateway's: recorded below as 499, like a cancel.
				return;
			}
			trace.problem(ErrorMap.toProblem(error));
			if (!response.isCommitted()) {
				// The error handler writes the problem body after this filter is done;
				// its status is final at commit.
				trace.deferred(true);
				response.beforeCommit(() -> Mono.fromRunnable(() -> {
					long length = response.getHeaders().getContentLength();
					trace.addBytes(Math.max(0, length));
					complete(exchange, trace, status(response, 500));
				}));
			}
		}).doFinally(signal -> {
			if (!trace.deferred()) {
				if (trace.problem() == BODY_TIMED_OUT
						|| signal == SignalType.CANCEL && ClientConnection.bodyTimedOut(exchange)) {
					// The gateway cut a stalled body off (the request saw the body's
					// error, or a cancel when the
					// connection closed): NGINX's 408 for its client_body_timeout, an
					// edge rejection rather than the
					// client's 499 or the upstream's failure.
					trace.problem(BODY_TIMED_OUT);
					complete(exchange, trace, BODY_TIMED_OUT.problemType().status().value());
					return;
				}
				// A client that went away before the answer gets the nginx convention
				// 499, "client closed request",
				// also when the upstream's status was already set: it was never sent. So
				// does one that was gone
				// when the answer was written (Reactor Netty may complete or fail that
				// write), although the
				// response counts as committed by then.
				boolean gone = signal == SignalType.CANCEL ? !response.isCommitted()
						: trace.isClientGone() || signal == SignalType.ON_ERROR && ClientConnection.closed(exchange);
				complete(exchange, trace, gone ? 499 : status(response, 500));
			}
		});
	}

	private static int status(ServerHttpResponse response, int fallback) {
		HttpStatusCode code = response.getStatusCode();
		return code == null ? fallback : code.value();
	}

	private void complete(ServerWebExchange exchange, RequestTrace trace, int status) {
		long end = System.nanoTime();
		long nanos = end - trace.startNanos;
		Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
		String routeId = route == null ? NONE : route.getId();
		RequestState state = RequestState.of(exchange);
		// What was called (the fallback, after one), else what was picked.
		UpstreamTarget upstream = state.upstream();
		String service = upstream == null ? NONE : upstream.service();
		String colour = upstream == null ? NONE : upstream.colour();
		ProblemException problem = trace.problem();
		String cause = problem == null ? null : RejectionCause.of(problem.problemType());
		String outcome = cause != null ? "rejected"
				: status >= 500 ? "server_error" : status >= 400 ? "client_error" : "success";
		String method = RequestMetrics.method(exchange.getRequest().getMethod().name());
		metrics.request(routeId, service, colour, method, status, outcome, nanos);
		if (cause != null) {
			metrics.rejection(routeId, cause);
		}
		groupError(exchange, routeId, status, problem);
		if (trace.headersAtNanos() > 0) {
			trace.add(RequestTrace.Phase.BODY, end - trace.headersAtNanos());
		}
		if (accessLog.wants(status)) {
			int attempts = state.attempts();
			accessLog.write(new AccessLog.Line(IsoTimestamps.format(clock.instant()), RequestId.of(exchange),
					exchange.getRequest().getHeaders().getFirst("traceparent"), method, routeId, service, colour,
					status, trace.bytes(), Duration.ofNanos(nanos).toMillis(), attempts == 0 ? 0 : attempts - 1,
					state.rateLimit(), state.validation(), accessLog.clientKey(state.clientAddress())));
		}
		if (nanos > slow.thresholdFor(routeId).toNanos()) {
			slowLogger.warn(slowLine(exchange, routeId, status, nanos, trace));
		}
	}

	private void groupError(ServerWebExchange exchange, String routeId, int status, ProblemException problem) {
		if (problem == null) {
			if (status >= 500) {
				errorGroups.record(routeId, "upstream_" + status, "upstream answered " + status,
						RequestId.of(exchange));
			}
			return;
		}
		ProblemType type = problem.problemType();
		if (type.status().is5xxServerError()) {
			String message = problem.getMessage();
			if (type == ProblemType.INTERNAL && problem.getCause() != null) {
				// The generic detail would merge every bug into one group; the exception
				// tells them apart.
				Throwable cause = problem.getCause();
				message = cause.getClass().getName() + ": " + cause.getMessage();
			}
			errorGroups.record(routeId, type.name().toLowerCase(), message, RequestId.of(exchange));
		}
	}

	private static String slowLine(ServerWebExchange exchange, String routeId, int status, long nanos,
			RequestTrace trace) {
		StringBuilder line = new StringBuilder("Slow request ").append(RequestId.of(exchange))
			.append(" route=")
			.append(routeId)
			.append(" status=")
			.append(status)
			.append(" durationMs=")
			.append(Duration.ofNanos(nanos).toMillis());
		Map<RequestTrace.Phase, Long> phases = trace.phases();
		for (RequestTrace.Phase phase : RequestTrace.Phase.values()) {
			Long value = phases.get(phase);
			line.append(' ')
				.append(phase.field())
				.append('=')
				.append(value == null ? "-" : Duration.ofNanos(value).toMillis());
		}
		return line.toString();
	}

	@Override
	public int getOrder() {
		return GatewayStage.OBSERVABILITY.order();
	}

	/**
	 * Constant: WebFlux names each request's filter checkpoint by toString(), per
	 * request.
	 */
	@Override
	public String toString() {
		return "ObservabilityWebFilter";
	}

	/**
	 * Counts the bytes of the response body as they are written, without touching the
	 * buffers, and notes a client that closed its connection before the answer was
	 * written.
	 */
	private static final class CountingResponse extends ServerHttpResponseDecorator {

		private final ServerWebExchange exchange;

		private final RequestTrace trace;

		CountingResponse(ServerWebExchange exchange, RequestTrace trace) {
			super(exchange.getResponse());
			this.exchange = exchange;
			this.trace = trace;
		}

		private void noteClientGone() {
			if (ClientConnection.closed(exchange)) {
				trace.clientGone();
			}
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			noteClientGone();
			return super.writeWith(BodyTap.tap(body, buffer -> trace.addBytes(buffer.readableByteCount())));
		}

		@Override
		public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
			noteClientGone();
			return super.writeAndFlushWith(Flux.from(body)
				.map(inner -> Flux.from(inner).doOnNext(buffer -> trace.addBytes(buffer.readableByteCount()))));
		}

		@Override
		public Mono<Void> setComplete() {
			noteClientGone();
			return super.setComplete();
		}

	}

}
