package io.cryoprotect.gateway.edge;

import java.time.Duration;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import reactor.netty.channel.ChannelOperations;
import reactor.netty.http.HttpConnectionLiveness;
import reactor.netty.http.IdleTimeoutHandler;

/**
 * Keeps a kept-alive HTTP/1.1 connection readable after a queued request was answered
 * before its last content was read (reactor/reactor-netty#4361, present in 1.3.6 and 1.3.7).
 * <p>
 * Reactor Netty reads server connections on demand and queues a request that arrives while
 * the previous one's operations are still terminating. When the queued request is answered
 * at once (a 404, a 401, a 429 the gateway gives itself), its operations terminate while its
 * {@link LastHttpContent} is still queued; Reactor Netty then drains that content and
 * returns without asking for another read or arming the idle timeout. The connection is not
 * read again until the client gives up, and every request on it waits for nothing.
 * <p>
 * Sits right after Reactor Netty's {@code HttpTrafficHandler}. A last content that arrives
 * when no request is in flight is the end of a request already answered: the connection is
 * idle, so this does what Reactor Netty does when it finishes a response with nothing queued
 * (arm the idle timeout, read). The next request to pass through takes an idle timeout armed
 * here off again, as Reactor Netty does for requests it does not queue, so a queued request
 * dispatched after this never runs under it. Both are no-ops where Reactor Netty already did
 * them. One instance per connection, which remembers whether it armed the idle timeout.
 */
final class QueuedRequestReadResume extends ChannelInboundHandlerAdapter {

	static final String NAME = "cryoprotect.queuedRequestReadResume";

	private final Duration idleTimeout;

	private boolean armedIdleTimeout;

	QueuedRequestReadResume(Duration idleTimeout) {
		this.idleTimeout = idleTimeout;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof HttpRequest) {
			if (armedIdleTimeout) {
				armedIdleTimeout = false;
				IdleTimeoutHandler.removeIdleTimeoutHandler(ctx.pipeline());
			}
			ctx.fireChannelRead(msg);
			return;
		}
		boolean endOfAnsweredRequest = msg instanceof LastHttpContent && ChannelOperations.get(ctx.channel()) == null;
		ctx.fireChannelRead(msg);
		if (endOfAnsweredRequest && ctx.channel().isActive()) {
			IdleTimeoutHandler.addIdleTimeoutHandler(ctx.pipeline(), idleTimeout, HttpConnectionLiveness.CLOSE);
			armedIdleTimeout = true;
			ctx.read();
		}
	}

}
