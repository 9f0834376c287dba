package io.cryoprotect.gateway.proxy;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.util.AttributeKey;
import reactor.netty.NettyPipeline;

/**
 * The upstream response timeout, one handler for the life of a pooled HTTP/1.1
 * connection: from the moment a request has been written, the response may go at most the
 * request's timeout without a read (the wait for the headers, then every silence
 * mid-body), as with Reactor Netty's {@code responseTimeout}. On expiry it raises
 * {@link ReadTimeoutException} to the request in flight and closes the connection, as
 * Reactor Netty does.
 * <p>
 * Reactor Netty arms its response timeout by adding a {@code ReadTimeoutHandler} to the
 * pipeline for every request, with a timer of its own, and removes both when the response
 * ends: a pipeline change and a timer each way per request. This handler stays, and keeps
 * at most one timer per connection, which it re-arms only when it fires while a response
 * is still being read; arming and disarming are field writes.
 * <p>
 * Everything here runs on the connection's event loop: Reactor Netty announces a request
 * ({@link #expect}) and writes it there.
 */
final class ResponseReadTimeout extends ChannelDuplexHandler {

	static final String NAME = "cryoprotect.responseReadTimeout";

	private static final AttributeKey<ResponseReadTimeout> KEY = AttributeKey.valueOf(NAME);

	private ChannelHandlerContext ctx;

	/** The timeout of the request about to be written; armed once it has been. */
	private long timeoutNanos;

	private boolean armed;

	/** The response being read is an interim one (1xx). */
	private boolean informational;

	/**
	 * When the last read of the awaited response completed (or the request was written).
	 */
	private long lastReadNanos;

	private ScheduledFuture<?> check;

	/** When {@link #check} fires. */
	private long checkAtNanos;

	/**
	 * Adds the handler to a new connection, after its HTTP codec, where it sees whole
	 * requests and responses.
	 */
	static void install(Channel channel) {
		ChannelPipeline pipeline = channel.pipeline();
		if (pipeline.get(NettyPipeline.HttpCodec) == null) {
			throw new IllegalStateException(
					"No HTTP/1.1 codec on upstream connection " + channel + ": " + pipeline.names());
		}
		ResponseReadTimeout handler = new ResponseReadTimeout();
		pipeline.addAfter(NettyPipeline.HttpCodec, NAME, handler);
		channel.attr(KEY).set(handler);
	}

	/**
	 * The request about to be written on {@code channel} waits at most {@code timeout}
	 * for each read of its response.
	 */
	static void expect(Channel channel, Duration timeout) {
		ResponseReadTimeout handler = channel.attr(KEY).get();
		if (handler == null) {
			throw new IllegalStateException("Upstream connection " + channel + " has no response timeout handler");
		}
		handler.timeoutNanos = timeout.toNanos();
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.ctx = ctx;
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		cancel();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		cancel();
		ctx.fireChannelInactive();
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		// The end of the request (a FullHttpRequest is one too): from here on the
		// response is awaited.
		if (msg instanceof LastHttpContent && timeoutNanos > 0) {
			arm();
		}
		ctx.write(msg, promise);
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (armed) {
			if (msg instanceof HttpResponse response) {
				informational = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
			}
			// The end of the response; a 1xx (100 Continue) ends too, but the response is
			// still to come.
			if (msg instanceof LastHttpContent && !informational) {
				armed = false;
			}
		}
		ctx.fireChannelRead(msg);
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		// The timer runs on this event loop too, so it never fires between a read and its
		// completion.
		if (armed) {
			lastReadNanos = ctx.executor().ticker().nanoTime();
		}
		ctx.fireChannelReadComplete();
	}

	private void arm() {
		long now = ctx.executor().ticker().nanoTime();
		armed = true;
		informational = false;
		lastReadNanos = now;
		// A timer left by an earlier request with a longer timeout would fire too late
		// for this one.
		if (check != null && checkAtNanos - (now + timeoutNanos) > 0) {
			cancel();
		}
		if (check == null) {
			schedule(now, timeoutNanos);
		}
	}

	private void schedule(long now, long delayNanos) {
		checkAtNanos = now + delayNanos;
		check = ctx.executor().schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
	}

	private void check() {
		check = null;
		if (!armed || !ctx.channel().isActive()) {
			return;
		}
		long now = ctx.executor().ticker().nanoTime();
		long left = timeoutNanos - (now - lastReadNanos);
		if (left > 0) {
			schedule(now, left);
			return;
		}
		armed = false;
		ctx.fireExceptionCaught(ReadTimeoutException.INSTANCE);
		ctx.close();
	}

	private void cancel() {
		if (check != null) {
			check.cancel(false);
			check = null;
		}
	}

}
