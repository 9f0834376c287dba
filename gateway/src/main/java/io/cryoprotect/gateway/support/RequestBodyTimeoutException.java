package io.cryoprotect.gateway.support;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AttributeKey;

/**
 * A request body that did not arrive within the edge's read or request timeout: the
 * client's doing, never the upstream's. The edge's read guard
 * ({@code edge.RequestReadGuard}) raises it on the server connection, so whatever reads
 * the body (the gateway's validation, or a body streaming to an upstream) fails with it.
 * It is deliberately not Netty's {@code ReadTimeoutException}, which means an upstream
 * that did not answer in time (a 504, a circuit-breaker failure and a retry reason). The
 * gateway records it as NGINX does a {@code client_body_timeout}: status 408.
 */
public final class RequestBodyTimeoutException extends RuntimeException {

	public static final RequestBodyTimeoutException INSTANCE = new RequestBodyTimeoutException();

	/**
	 * Set on a server connection the edge cut off, just before it fails the request and
	 * closes.
	 */
	private static final AttributeKey<Boolean> CUT_OFF = AttributeKey.valueOf("cryoprotect.requestBodyTimedOut");

	private RequestBodyTimeoutException() {
		// One shared instance, as Netty's own timeout exceptions: no stack trace, nothing
		// request-specific.
		super("The request body did not arrive in time", null, false, false);
	}

	/**
	 * Marks the server connection as cut off and fails the request in flight with this
	 * exception; the caller closes the connection.
	 */
	public static void cutOff(ChannelHandlerContext ctx) {
		ctx.channel().attr(CUT_OFF).set(Boolean.TRUE);
		ctx.fireExceptionCaught(INSTANCE);
	}

	/**
	 * Whether the gateway cut this server connection off because its request body
	 * stalled. The connection is closed right after, so the mark never outlives the
	 * request that caused it.
	 */
	public static boolean cutOff(Channel channel) {
		return channel.hasAttr(CUT_OFF);
	}

}
