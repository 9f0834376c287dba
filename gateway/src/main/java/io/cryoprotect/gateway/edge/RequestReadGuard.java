package io.cryoprotect.gateway.edge;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.cryoprotect.gateway.support.RequestBodyTimeoutException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import reactor.core.publisher.MonoSink;
import reactor.netty.channel.ChannelOperations;
import reactor.netty.http.HttpConnectionLiveness;
import reactor.netty.http.IdleTimeoutHandler;

/**
 * How the gateway reads requests on a kept-alive HTTP/1.1 server connection, after
 * Reactor Netty's {@code HttpTrafficHandler}: the read and request timeouts of a request
 * body, and reads resumed where Reactor Netty forgets to (reactor/reactor-netty#4361, in
 * 1.3.6 and 1.3.7). One instance per connection.
 * <p>
 * <b>Body timeouts</b> ({@code gateway.edge.read-timeout}, {@code request-timeout}), from
 * the moment a request is handed to the gateway until its last content: longest silence
 * between parts of the body, and longest time for the whole body. Reactor Netty's own
 * timeouts add a handler to the pipeline and schedule a timer for every request, and take
 * both away again when the request ends, although nearly every request (every GET, most
 * JSON bodies) has ended within the same read. Here a request only gets a timer if its
 * body is still incomplete once that read has been handled (checked in a task queued
 * behind it); the timer then fires at the earlier of the two deadlines, and fails the
 * request in flight with a {@link RequestBodyTimeoutException} (not Reactor Netty's
 * {@code ReadTimeoutException}, which would read as an upstream timeout). The gateway
 * answers it 408 with {@code Connection: close}, after which Reactor Netty closes the
 * connection; one that cannot be answered any more is closed after a second's grace.
 * <p>
 * <b>Reads resumed.</b> Reactor Netty reads server connections on demand and queues a
 * request that arrives while the previous one's operations are still terminating. When
 * the queued request is answered at once (a 404, a 401, a 429 the gateway gives itself),
 * its operations terminate while its {@link LastHttpContent} is still queued; Reactor
 * Netty then drains that content without asking for another read or arming the idle
 * timeout, and the connection is not read again until the client gives up. A last content
 * that arrives here with no request in flight is the end of a request already answered:
 * the connection is idle, so this arms the idle timeout and reads, as Reactor Netty does
 * when it finishes a response with nothing queued. The next request takes an idle timeout
 * armed here off again, as Reactor Netty does for the requests it does not queue. Both
 * are no-ops where Reactor Netty already did them.
 */
final class RequestReadGuard extends ChannelInboundHandlerAdapter implements Runnable {

	static final String NAME = "cryoprotect.requestReadGuard";

	/**
	 * How long a cut-off request has to send its 408 before the connection is closed
	 * regardless.
	 */
	private static final long CUT_OFF_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final long readTimeoutNanos;

	private final long requestTimeoutNanos;

	private final Duration idleTimeout;

	private final Runnable armIfBodyPending = this::armIfBodyPending;

	private ChannelHandlerContext ctx;

	private boolean armedIdleTimeout;

	/** A request has been handed on and its last content has not passed yet. */
	private boolean bodyPending;

	private long requestStart;

	private long lastRead;

	private ScheduledFuture<?> timer;

	/**
	 * Waiting for the body of the request in flight to arrive whole
	 * ({@link RequestBodyArrival}); mostly none.
	 */
	private List<MonoSink<Void>> bodyWaiters;

	RequestReadGuard(Duration readTimeout, Duration requestTimeout, Duration idleTimeout) {
		this.readTimeoutNanos = readTimeout.toNanos();
		this.requestTimeoutNanos = requestTimeout.toNanos();
		this.idleTimeout = idleTimeout;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.ctx = ctx;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof HttpRequest) {
			if (armedIdleTimeout) {
				armedIdleTimeout = false;
				IdleTimeoutHandler.removeIdleTimeoutHandler(ctx.pipeline());
			}
			// A FullHttpRequest is also its own last content.
			if (!(msg instanceof LastHttpContent)) {
				bodyPending = true;
				requestStart = System.nanoTime();
				lastRead = requestStart;
				ctx.executor().execute(armIfBodyPending);
			}
			ctx.fireChannelRead(msg);
			return;
		}
		boolean last = msg instanceof LastHttpContent;
		if (bodyPending && msg instanceof HttpContent) {
			lastRead = System.nanoTime();
			bodyPending = !last;
			if (last && bodyWaiters != null) {
				List<MonoSink<Void>> arrived = bodyWaiters;
				bodyWaiters = null;
				arrived.forEach(MonoSink::success);
			}
		}
		boolean endOfAnsweredRequest = last && ChannelOperations.get(ctx.channel()) == null;
		ctx.fireChannelRead(msg);
		if (endOfAnsweredRequest && ctx.channel().isActive()) {
			IdleTimeoutHandler.addIdleTimeoutHandler(ctx.pipeline(), idleTimeout, HttpConnectionLiveness.CLOSE);
			armedIdleTimeout = true;
			ctx.read();
		}
	}

	/**
	 * Completes {@code sink} once the body of the request in flight has arrived whole: at
	 * once if it has (or the request had none), never if the request is cut off or the
	 * connection closes first. On the event loop.
	 */
	void whenBodyArrived(MonoSink<Void> sink) {
		if (!bodyPending) {
			sink.success();
			return;
		}
		if (bodyWaiters == null) {
			bodyWaiters = new ArrayList<>(1);
		}
		bodyWaiters.add(sink);
	}

	/** Whether the request in flight still has body to come. On the event loop. */
	boolean bodyPending() {
		return bodyPending;
	}

	private void armIfBodyPending() {
		if (bodyPending && timer == null && ctx.channel().isActive()) {
			schedule(System.nanoTime());
		}
	}

	/**
	 * The timer: closes the connection if the body is late, else waits for the next
	 * deadline.
	 */
	@Override
	public void run() {
		timer = null;
		if (!bodyPending || !ctx.channel().isActive()) {
			return;
		}
		long now = System.nanoTime();
		if (now - lastRead >= readTimeoutNanos || now - requestStart >= requestTimeoutNanos) {
			bodyPending = false;
			bodyWaiters = null;
			RequestBodyTimeoutException.cutOff(ctx);
			// The 408 carries Connection: close, so Reactor Netty closes once it is sent;
			// this closes a
			// connection whose answer never comes (or came before the cut, mid-body, and
			// cannot be finished).
			timer = ctx.executor().schedule((Runnable) ctx::close, CUT_OFF_GRACE_NANOS, TimeUnit.NANOSECONDS);
			return;
		}
		schedule(now);
	}

	private void schedule(long now) {
		long due = Math.min(lastRead + readTimeoutNanos, requestStart + requestTimeoutNanos);
		timer = ctx.executor().schedule(this, Math.max(due - now, 1), TimeUnit.NANOSECONDS);
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		cancelTimer();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		cancelTimer();
		bodyWaiters = null;
		ctx.fireChannelInactive();
	}

	private void cancelTimer() {
		if (timer != null) {
			timer.cancel(false);
			timer = null;
		}
	}

}
