package io.cryoprotect.gateway.edge;

import java.util.function.Supplier;

import io.cryoprotect.gateway.errors.ProblemException;
import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;

/**
 * A request whose streamed body fails (with the given 413 problem) the moment it passes a
 * byte cap, so a chunked body without {@code Content-Length} is never forwarded or buffered
 * beyond it. The buffer that crosses the cap is released here; the ones before it by whoever
 * consumed them. Used by the edge's global cap and by validation's per-endpoint caps.
 */
public final class CappedBodyRequest extends ServerHttpRequestDecorator {

	private final long maxBytes;

	private final Supplier<ProblemException> tooLarge;

	public CappedBodyRequest(ServerHttpRequest delegate, long maxBytes, Supplier<ProblemException> tooLarge) {
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

}
