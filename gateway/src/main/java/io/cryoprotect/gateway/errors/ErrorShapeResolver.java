package io.cryoprotect.gateway.errors;

import org.springframework.web.server.ServerWebExchange;

/**
 * Which {@link ErrorShape} an exchange's error answer takes, by the route it was (or
 * would have been) routed to; the routing package provides it. Asked only when an error
 * is written.
 */
public interface ErrorShapeResolver {

	ErrorShape shapeOf(ServerWebExchange exchange);

}
