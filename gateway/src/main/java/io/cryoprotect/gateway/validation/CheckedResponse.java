package io.cryoprotect.gateway.validation;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import io.cryoprotect.gateway.support.BodyTap;
import io.cryoprotect.gateway.support.RequestId;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * Checks an upstream's 2xx JSON response against its endpoint's response schema, in
 * shadow only: the bytes stream to the client unchanged while a copy of at most
 * {@code maxResponseBytes} is kept; once the copy is complete it is validated, and
 * violations are counted and logged with the request id. Larger, compressed or non-JSON
 * responses are skipped. Only a byte copy is kept, never a Netty buffer, so nothing here
 * can leak.
 */
final class CheckedResponse extends ServerHttpResponseDecorator {

	private static final Log logger = LogFactory.getLog(CheckedResponse.class);

	private static final MediaType JSON_SUFFIX = MediaType.parseMediaType("application/*+json");

	private final ServerWebExchange exchange;

	private final EndpointRule rule;

	CheckedResponse(ServerWebExchange exchange, EndpointRule rule) {
		super(exchange.getResponse());
		this.exchange = exchange;
		this.rule = rule;
	}

	@Override
	public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
		if (!checkable()) {
			return super.writeWith(body);
		}
		Copy copy = new Copy(rule.maxResponseBytes(), getHeaders().getContentLength());
		// With a known length the check runs before the last buffer is written, so the
		// verdict is
		// counted by the time the client has the whole response; otherwise when the body
		// ends.
		return super.writeWith(BodyTap.tap(body, buffer -> {
			if (copy.append(buffer)) {
				check(copy);
			}
		}, () -> {
			if (!copy.checked()) {
				check(copy);
			}
		}));
	}

	private boolean checkable() {
		HttpStatusCode status = getStatusCode();
		HttpHeaders headers = getHeaders();
		MediaType type = headers.getContentType();
		String encoding = headers.getFirst(HttpHeaders.CONTENT_ENCODING);
		return status != null && status.is2xxSuccessful() && type != null
				&& (MediaType.APPLICATION_JSON.isCompatibleWith(type) || JSON_SUFFIX.includes(type))
				&& (encoding == null || "identity".equalsIgnoreCase(encoding))
				&& headers.getContentLength() <= rule.maxResponseBytes();
	}

	private void check(Copy copy) {
		copy.markChecked();
		if (copy.overflowed()) {
			if (logger.isDebugEnabled()) {
				logger.debug("Request " + RequestId.of(exchange) + ": response of endpoint '" + rule.id()
						+ "' is larger than " + rule.maxResponseBytes() + " bytes, not checked");
			}
			return;
		}
		List<Violation> violations;
		try {
			violations = rule.responseViolations(copy.bytes());
		}
		catch (RuntimeException ex) {
			// A shadow check must never cost the client its response.
			logger.warn("Request " + RequestId.of(exchange) + ": response check of endpoint '" + rule.id() + "' failed",
					ex);
			return;
		}
		if (!violations.isEmpty()) {
			rule.meters().responseViolations().increment();
			if (logger.isDebugEnabled()) {
				logger.debug("Request " + RequestId.of(exchange) + ": response of endpoint '" + rule.id()
						+ "' breaks schema " + rule.responseSchema() + ": " + violations);
			}
		}
	}

	/** The bytes seen so far, up to a cap; past it, only the fact that it was passed. */
	private static final class Copy {

		private final long cap;

		private final long expectedLength;

		private byte[] data = new byte[1024];

		private int size;

		private boolean overflowed;

		private boolean checked;

		/**
		 * @param expectedLength the declared Content-Length, or -1 when unknown
		 */
		Copy(long cap, long expectedLength) {
			this.cap = cap;
			this.expectedLength = expectedLength;
		}

		/**
		 * Copies the buffer's readable bytes; true when they complete the declared
		 * length.
		 */
		boolean append(DataBuffer buffer) {
			int n = buffer.readableByteCount();
			if (overflowed || checked) {
				return false;
			}
			if (size + (long) n > cap) {
				overflowed = true;
				data = null;
				return false;
			}
			if (size + n > data.length) {
				data = Arrays.copyOf(data, (int) Math.min(cap, Math.max(data.length * 2L, size + (long) n)));
			}
			// An absolute copy leaves the buffer's read position alone for the real
			// write.
			buffer.toByteBuffer(buffer.readPosition(), ByteBuffer.wrap(data), size, n);
			size += n;
			return size == expectedLength;
		}

		boolean overflowed() {
			return overflowed;
		}

		boolean checked() {
			return checked;
		}

		void markChecked() {
			checked = true;
		}

		byte[] bytes() {
			return Arrays.copyOf(data, size);
		}

	}

}
