package io.cryoprotect.gateway.validation;

import io.cryoprotect.gateway.errors.ProblemException;
import io.cryoprotect.gateway.errors.ProblemType;
import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;

/**
 * A request whose streamed body fails with 413 the moment it passes an endpoint's cap, so a
 * chunked body without {@code Content-Length} is never buffered beyond it. The buffer that
 * crosses the cap is released here; the ones before it by whoever was collecting them.
 */
final class CappedBodyRequest extends ServerHttpRequestDecorator {

	private final EndpointRule rule;

	CappedBodyRequest(ServerHttpRequest delegate, EndpointRule rule) {
		super(delegate);
		this.rule = rule;
	}

	static ProblemException tooLarge(EndpointRule rule) {
		return new ProblemException(ProblemType.PAYLOAD_TOO_LARGE, "The request body exceeds the limit of "
				+ rule.maxBodyBytes() + " bytes for endpoint '" + rule.id() + "'.");
	}

	@Override
	public Flux<DataBuffer> getBody() {
		return Flux.defer(() -> {
			long[] seen = { 0 };
			return getDelegate().getBody().handle((buffer, sink) -> {
				seen[0] += buffer.readableByteCount();
				if (seen[0] > rule.maxBodyBytes()) {
					DataBufferUtils.release(buffer);
					sink.error(tooLarge(rule));
				}
				else {
					sink.next(buffer);
				}
			});
		});
	}

}
