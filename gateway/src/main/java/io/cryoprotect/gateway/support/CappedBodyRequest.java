package io.cryoprotect.gateway.support;

import java.nio.ByteBuffer;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * A request whose streamed body fails (with the given 413 problem) the moment it passes a
 * byte cap, so a chunked body without {@code Content-Length} is never forwarded or
 * buffered beyond it. The buffer that crosses the cap is released here; the ones before
 * it by whoever consumed them. Used by the edge's global cap, by validation's
 * per-endpoint caps and by body-keyed rate limits, the latter two through
 * {@link #cacheBody} and {@link #cachedBytes}.
 */
public final class CappedBodyRequest extends ServerHttpRequestDecorator {

	private final long maxBytes;

	private final Supplier<? extends RuntimeException> tooLarge;

	public CappedBodyRequest(ServerHttpRequest delegate, long maxBytes, Supplier<? extends RuntimeException> tooLarge) {
		super(delegate);
		this.maxBytes = maxBytes;
		this.tooLarge = tooLarge;
	}

	@Override
	public Flux<DataBuffer> getBody() {
		return Flux.defer(() -> {
			long[] seen = { 0 };
			return getDelegate().getBody().handle((buffer, sink) -> {
				seen[0] += buffer.readableByteCount();
				if (seen[0] > maxBytes) {
					DataBufferUtils.release(buffer);
					sink.error(tooLarge.get());
				}
				else {
					sink.next(buffer);
				}
			});
		});
	}

	/**
	 * Reads the body once, capped, into Spring Cloud Gateway's body cache and gives the
	 * request that replays it. {@code RemoveCachedBodyFilter} releases the cache when the
	 * exchange ends, on every path; a body another filter cached already is not read
	 * again.
	 */
	public static Mono<ServerHttpRequest> cacheBody(ServerWebExchange exchange, long maxBytes,
			Supplier<? extends RuntimeException> tooLarge) {
		ServerWebExchange capped = exchange.mutate()
			.request(new CappedBodyRequest(exchange.getRequest(), maxBytes, tooLarge))
			.build();
		return ServerWebExchangeUtils.cacheRequestBodyAndRequest(capped, Mono::just);
	}

	/**
	 * A copy of the cached body, empty when none is cached; the cache keeps its read
	 * position for forwarding.
	 */
	public static byte[] cachedBytes(ServerWebExchange exchange) {
		DataBuffer buffer = exchange.getAttribute(ServerWebExchangeUtils.CACHED_REQUEST_BODY_ATTR);
		if (buffer == null) {
			return new byte[0];
		}
		byte[] bytes = new byte[buffer.readableByteCount()];
		buffer.toByteBuffer(buffer.readPosition(), ByteBuffer.wrap(bytes), 0, bytes.length);
		return bytes;
	}

}
