package io.cryoprotect.gateway.edge;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.cryoprotect.gateway.errors.ProblemType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import reactor.netty.NettyPipeline;
import reactor.netty.channel.ChannelOperations;

/**
 * The header timeout of an HTTP/1.1 server connection
 * ({@code gateway.edge.header-timeout}), as NGINX's {@code client_header_timeout}: a
 * request head (request line and headers) must arrive whole within it, timed from the
 * connection's start for its first request and from the first byte of every later one
 * (the wait for that byte is the idle timeout's). Reactor Netty has no such timeout: its
 * idle timeout restarts with every read, so a head sent a line at a time held a
 * connection for as long as the client liked.
 * <p>
 * On expiry a connection with part of a head is answered 408 (a problem body,
 * {@code Connection:
 * close}) and closed; a new connection that sent nothing is closed without an answer.
 * Both are counted in {@link ClientErrors}, as is a client that closes mid-head, whose
 * decoding failure is dropped here instead of reaching Reactor Netty, which logs a WARN
 * with the header names for it. So is a head the decoder refuses (malformed, too long,
 * ambiguous framing): answered here with a problem body and {@code Connection: close},
 * where Reactor Netty sends an empty one and logs a WARN.
 * <p>
 * One instance per connection, in two places: {@link #NAME} before the HTTP codec sees
 * the bytes arrive, {@link #DECODED_NAME} right after it sees each head and each request
 * end as decoded (a pipelined head too, before Reactor Netty queues it). A head that
 * arrives within one read never gets a timer: it is armed after the read, only if the
 * head is still incomplete. Not covered: a partial head pipelined in the same read as the
 * end of the request before it, which the idle timeout bounds instead. Everything runs on
 * the connection's event loop.
 */
final class RequestHeadTimeout extends ChannelInboundHandlerAdapter implements Runnable {

	static final String NAME = "cryoprotect.requestHeadTimeout";

	static final String DECODED_NAME = "cryoprotect.requestHeadTimeout.decoded";

	private final long timeoutNanos;

	private final byte[] answer;

	private final ClientErrors errors;

	private ChannelHandlerContext ctx;

	/** The decoder is between requests: the next bytes start a head. */
	private boolean awaitingHead = true;

	/** Bytes of the awaited head have arrived. */
	private boolean headStarted;

	private long headStart;

	/**
	 * The edge closed the connection for a late head (its decoding failure is not the
	 * client's closing).
	 */
	private boolean cutOff;

	private ScheduledFuture<?> timer;

	RequestHeadTimeout(Duration timeout, ClientErrors errors) {
		this.timeoutNanos = timeout.toNanos();
		this.answer = answer(timeout);
		this.errors = errors;
	}

	/** Adds the handler around the HTTP codec of {@code pipeline}. */
	void install(ChannelPipeline pipeline) {
		pipeline.addBefore(NettyPipeline.HttpCodec, NAME, this);
		pipeline.addAfter(NettyPipeline.HttpCodec, DECODED_NAME, new Decoded());
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.ctx = ctx;
		if (ctx.channel().isActive()) {
			startFirstHead();
		}
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		startFirstHead();
		ctx.fireChannelActive();
	}

	/**
	 * A new connection: its first head is timed from now, whether any byte comes or not.
	 */
	private void startFirstHead() {
		if (timer == null && awaitingHead && !headStarted) {
			headStart = System.nanoTime();
			schedule(timeoutNanos);
		}
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (awaitingHead && !headStarted && msg instanceof ByteBuf bytes && bytes.isReadable()) {
			headStarted = true;
			if (timer == null) {
				headStart = System.nanoTime();
			}
		}
		ctx.fireChannelRead(msg);
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		if (awaitingHead && headStarted && timer == null && ctx.channel().isActive()) {
			if (ctx.pipeline().get(NettyPipeline.HttpCodec) == null) {
				// Upgraded (a WebSocket): no more heads will come, so no timer for every
				// frame read from now on.
				ctx.pipeline().remove(this);
			}
			else {
				schedule(Math.max(headStart + timeoutNanos - System.nanoTime(), 1));
			}
		}
		ctx.fireChannelReadComplete();
	}

	@Override
	public void run() {
		timer = null;
		// No codec: the connection was upgraded (a WebSocket) and carries no more
		// HTTP/1.1 heads.
		if (!awaitingHead || !ctx.channel().isActive() || ctx.pipeline().get(NettyPipeline.HttpCodec) == null) {
			return;
		}
		if (ChannelOperations.get(ctx.channel()) != null) {
			// The request before is still being answered: the awaited head, pipelined, is
			// not late yet.
			headStart = System.nanoTime();
			schedule(timeoutNanos);
			return;
		}
		cutOff = true;
		if (headStarted) {
			errors.record(ClientErrors.Reason.HEADER_TIMEOUT, ctx.channel());
			// Written below the codec: nothing of a response has gone out on this
			// connection since the last one.
			ctx.writeAndFlush(Unpooled.wrappedBuffer(answer)).addListener(ChannelFutureListener.CLOSE);
		}
		else {
			errors.record(ClientErrors.Reason.SILENT_CONNECTION, ctx.channel());
			ctx.close();
		}
	}

	private void schedule(long delayNanos) {
		timer = ctx.executor().schedule(this, delayNanos, TimeUnit.NANOSECONDS);
	}

	private void headArrived() {
		awaitingHead = false;
		headStarted = false;
		if (timer != null) {
			timer.cancel(false);
			timer = null;
		}
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

	private void cancel() {
		if (timer != null) {
			timer.cancel(false);
			timer = null;
		}
	}

	private static byte[] answer(Duration timeout) {
		ProblemType type = ProblemType.REQUEST_TIMEOUT;
		String body = "{\"type\":\"" + type.type() + "\",\"title\":\"" + type.title() + "\",\"status\":"
				+ type.status().value() + ",\"detail\":\"The request head did not arrive within " + timeout.toMillis()
				+ " ms.\"}";
		return ("HTTP/1.1 408 Request Timeout\r\nContent-Type: application/problem+json\r\nCache-Control: no-store\r\n"
				+ "Connection: close\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
			.getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * The answer to a head the decoder refused: 414 and 431 for its own size limits, else
	 * 400.
	 */
	private static FullHttpResponse malformed(Throwable failure) {
		ProblemType type = failure instanceof TooLongHttpLineException ? ProblemType.URI_TOO_LONG
				: failure instanceof TooLongHttpHeaderException ? ProblemType.HEADERS_TOO_LARGE
						: ProblemType.BAD_REQUEST;
		return refusal(type, "The request is not well-formed HTTP/1.1: its request line or headers are malformed, too "
				+ "long or frame the body ambiguously.");
	}

	/**
	 * Every {@code Host} value is a host[:port] (how many there are is the edge filter's
	 * check, in the route's shape).
	 */
	private static boolean hostsValid(HttpRequest request) {
		for (String host : request.headers().getAll(HttpHeaderNames.HOST)) {
			if (!HostHeader.isValid(host)) {
				return false;
			}
		}
		return true;
	}

	/**
	 * A problem answer written below the codec, before any route is known, and the
	 * connection closed after it.
	 */
	private static FullHttpResponse refusal(ProblemType type, String detail) {
		byte[] body = ("{\"type\":\"" + type.type() + "\",\"title\":\"" + type.title() + "\",\"status\":"
				+ type.status().value() + ",\"detail\":\"" + detail + "\"}")
			.getBytes(StandardCharsets.US_ASCII);
		FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
				HttpResponseStatus.valueOf(type.status().value()), Unpooled.wrappedBuffer(body));
		response.headers()
			.set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json")
			.set(HttpHeaderNames.CACHE_CONTROL, "no-store")
			.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
			.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
		return response;
	}

	/** The decoded side: heads and request ends as the codec produces them. */
	private final class Decoded extends ChannelInboundHandlerAdapter {

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (cutOff) {
				// The connection is closing after a refusal: nothing decoded behind it (a
				// pipelined request) runs.
				ReferenceCountUtil.release(msg);
				return;
			}
			if (msg instanceof HttpRequest request) {
				Throwable failure = request.decoderResult().cause();
				if (failure instanceof PrematureChannelClosureException) {
					// The connection closed mid-head: nobody to answer, and nothing for
					// Reactor Netty to log.
					if (!cutOff) {
						errors.record(ClientErrors.Reason.CLOSED_MID_HEAD, ctx.channel());
					}
					ReferenceCountUtil.release(msg);
					return;
				}
				headArrived();
				if (ChannelOperations.get(ctx.channel()) == null) {
					// A head the decoder refused, or whose Host is not a host[:port]
					// (Reactor Netty's own parse of it
					// fails on some, such as a second port, and it then answers as for a
					// decoding failure), with no
					// request before it still being answered (Reactor Netty answers those
					// in order): a problem body
					// where Reactor Netty sends an empty one and logs a WARN with the
					// header names. Nothing after it
					// on the connection is read.
					FullHttpResponse refusal = failure != null ? malformed(failure) : hostsValid(request) ? null
							: refusal(ProblemType.BAD_REQUEST, "The Host header is not a valid host[:port].");
					if (refusal != null) {
						cutOff = true;
						errors.record(ClientErrors.Reason.MALFORMED_REQUEST, ctx.channel());
						ReferenceCountUtil.release(msg);
						ctx.writeAndFlush(refusal).addListener(ChannelFutureListener.CLOSE);
						return;
					}
				}
			}
			if (msg instanceof LastHttpContent) {
				awaitingHead = true;
			}
			ctx.fireChannelRead(msg);
		}

	}

}
