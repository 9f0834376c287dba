package io.cryoprotect.gateway.resilience;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

import io.cryoprotect.gateway.observability.MeterCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * Request bodies held for retry, within one budget of bytes for all requests together
 * ({@code gateway.resilience.retry-buffer.max-bytes}). A body's bytes are reserved before
 * it is read: its {@code Content-Length}, or for a chunked body, whose size is unknown
 * until it ends, the edge's body cap, trimmed to the real size once read. A body that
 * does not fit is not read here: it streams to the upstream once, that request gets no
 * retry, and {@code gateway_retry_buffer_overflows_total{route}} counts it. The
 * reservation is returned when the exchange ends, on success, error and cancel;
 * {@code gateway_retry_buffer_bytes} shows what is held.
 * <p>
 * Held bodies are copied to the heap and the Netty buffers they arrived in are released
 * at once, so direct memory never grows with the bodies held for retry (it holds only the
 * buffers in flight); each attempt sends the copies wrapped afresh, chunk by chunk as
 * they arrived.
 */
final class RetryBuffers {

	private final long maxBytes;

	private final long chunkedBytes;

	private final AtomicLong held = new AtomicLong();

	private final MeterCache<String, Counter> overflows;

	/**
	 * @param maxBytes the budget
	 * @param chunkedBytes what a body without {@code Content-Length} reserves while it is
	 * read: the most the edge lets through
	 */
	RetryBuffers(long maxBytes, long chunkedBytes, MeterRegistry meters) {
		this.maxBytes = maxBytes;
		this.chunkedBytes = chunkedBytes;
		this.overflows = new MeterCache<>(route -> Counter.builder("gateway.retry.buffer.overflows")
			.description("Request bodies sent uncached, without retries, because the retry buffer budget was spent")
			.tag("route", route)
			.register(meters));
		Gauge.builder("gateway.retry.buffer.bytes", held, AtomicLong::get)
			.description("Bytes of request bodies held (or reserved while read) for retry, all requests together")
			.register(meters);
		Gauge.builder("gateway.retry.buffer.max.bytes", () -> maxBytes)
			.description(
					"The budget of bytes of request bodies held for retry (gateway.resilience.retry-buffer.max-bytes)")
			.register(meters);
	}

	/**
	 * Runs {@code cached} with a request whose body every attempt can send again, or,
	 * when the budget has no room for the body, {@code uncached}, whose request streams
	 * its body once. A body another filter already holds in the exchange (validation,
	 * body-keyed rate limits) is resent from there, at no cost.
	 */
	Mono<Void> cache(ServerWebExchange exchange, String routeId, Function<ServerHttpRequest, Mono<Void>> cached,
			Supplier<Mono<Void>> uncached) {
		ServerHttpRequest request = exchange.getRequest();
		if (exchange.getAttribute(ServerWebExchangeUtils.CACHED_REQUEST_BODY_ATTR) != null) {
			return cached.apply(request);
		}
		long length = request.getHeaders().getContentLength();
		Reservation reservation = reserve(length >= 0 ? length : chunkedBytes);
		if (reservation == null) {
			overflows.get(routeId).increment();
			return uncached.get();
		}
		DataBufferFactory factory = exchange.getResponse().bufferFactory();
		return Mono.using(() -> reservation,
				reserved -> request.getBody().map(RetryBuffers::copy).collectList().flatMap(chunks -> {
					reserved.trimTo(chunks.stream().mapToLong(chunk -> chunk.length).sum());
					return cached.apply(new ReplayedBodyRequest(request, chunks, factory));
				}), Reservation::release);
	}

	private Reservation reserve(long bytes) {
		long now;
		do {
			now = held.get();
			if (now + bytes > maxBytes) {
				return null;
			}
		}
		while (!held.compareAndSet(now, now + bytes));
		return new Reservation(bytes);
	}

	private static byte[] copy(DataBuffer buffer) {
		try {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			return bytes;
		}
		finally {
			DataBufferUtils.release(buffer);
		}
	}

	/**
	 * One request's share of the budget; trimming and releasing may race (a cancel), so
	 * both are atomic.
	 */
	private final class Reservation {

		private final AtomicLong bytes;

		Reservation(long bytes) {
			this.bytes = new AtomicLong(bytes);
		}

		/** Returns what the body did not need of its reservation. */
		void trimTo(long needed) {
			long before = bytes.getAndUpdate(reserved -> Math.min(reserved, needed));
			held.addAndGet(-(before - Math.min(before, needed)));
		}

		void release() {
			held.addAndGet(-bytes.getAndSet(0));
		}

	}

	/**
	 * A request whose body is the held copies, wrapped anew for every attempt that sends
	 * it.
	 */
	private static final class ReplayedBodyRequest extends ServerHttpRequestDecorator {

		private final List<byte[]> chunks;

		private final DataBufferFactory factory;

		ReplayedBodyRequest(ServerHttpRequest delegate, List<byte[]> chunks, DataBufferFactory factory) {
			super(delegate);
			this.chunks = chunks;
			this.factory = factory;
		}

		@Override
		public Flux<DataBuffer> getBody() {
			return Flux.fromIterable(chunks).map(factory::wrap);
		}

	}

}
