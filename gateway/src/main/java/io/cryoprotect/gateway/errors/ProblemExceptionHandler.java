package io.cryoprotect.gateway.errors;

import io.cryoprotect.gateway.support.ClientConnection;
import io.cryoprotect.gateway.support.RequestId;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;

/**
 * Turns every failure on the public port into an error answer via {@link ErrorMap}, in
 * the route's {@link ErrorShape} ({@link ProblemWriter}). It runs before Spring Boot's
 * default handler, so no HTML or Boot error JSON ever leaks out.
 */
@Component
@Order(-2)
class ProblemExceptionHandler implements WebExceptionHandler {

	private static final Log logger = LogFactory.getLog(ProblemExceptionHandler.class);

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
		if (ClientConnection.closed(exchange)) {
			// nginx's 499: the client hung up; there is no one to answer, and nothing
			// failed here.
			if (logger.isDebugEnabled()) {
				logger.debug("Request " + RequestId.of(exchange) + ": the client closed the connection (" + ex + ")");
			}
			return Mono.empty();
		}
		// The edge cut a stalled body off: whatever failed downstream of it (the body's
		// reader, or the upstream
		// call it was streaming to), the answer is the client's 408, and the connection
		// closes after it.
		ProblemException problem = ClientConnection.bodyTimedOut(exchange) ? ErrorMap.bodyTimedOut(ex)
				: ErrorMap.toProblem(ex);
		if (problem.problemType() == ProblemType.INTERNAL) {
			logger.error("Unexpected failure, request " + RequestId.of(exchange), ex);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Request " + RequestId.of(exchange) + " answered " + problem.problemType().status().value()
					+ ": " + ex);
		}
		if (exchange.getResponse().isCommitted()) {
			// Headers are gone; the only honest signal left is to abort the connection
			// mid-body.
			return Mono.error(ex);
		}
		exchange.getResponse().getHeaders().clear();
		RequestId.echo(exchange);
		return ProblemWriter.write(exchange, problem);
	}

}
