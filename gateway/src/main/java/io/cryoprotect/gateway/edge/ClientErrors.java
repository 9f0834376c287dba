package io.cryoprotect.gateway.edge;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.stereotype.Component;

/**
 * Connections the edge ends for the client's misbehaviour before a request exists to log
 * or count: {@code gateway_client_errors_total{reason}}, and at most one debug line a
 * second, so a flood of slow or broken clients cannot flood the log. Requests that do
 * exist (a stalled body) are in the access log and {@code gateway_rejections_total}
 * instead.
 */
@Component
public class ClientErrors {

	/** Why a connection was ended. */
	public enum Reason {

		/**
		 * Part of a request head arrived, not all of it within the header timeout:
		 * answered 408, closed.
		 */
		HEADER_TIMEOUT("header_timeout"),
		/**
		 * A new connection sent nothing within the header timeout: closed without an
		 * answer.
		 */
		SILENT_CONNECTION("silent_connection"),
		/** The client closed its connection in the middle of a request head. */
		CLOSED_MID_HEAD("closed_mid_head"),
		/**
		 * A request head the HTTP decoder refused (malformed, too long, ambiguous
		 * framing): answered 400/414/431, closed.
		 */
		MALFORMED_REQUEST("malformed_request");

		private final String tag;

		Reason(String tag) {
			this.tag = tag;
		}

	}

	private static final Log logger = LogFactory.getLog(ClientErrors.class);

	private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final Map<Reason, Counter> counters = new EnumMap<>(Reason.class);

	private final AtomicLong nextLog = new AtomicLong(System.nanoTime());

	public ClientErrors(MeterRegistry registry) {
		for (Reason reason : Reason.values()) {
			counters.put(reason,
					Counter.builder("gateway.client.errors")
						.description("Connections ended for the client's misbehaviour before a request could be routed")
						.tag("reason", reason.tag)
						.register(registry));
		}
	}

	void record(Reason reason, Channel channel) {
		counters.get(reason).increment();
		if (logger.isDebugEnabled()) {
			long now = System.nanoTime();
			long next = nextLog.get();
			if (now - next >= 0 && nextLog.compareAndSet(next, now + LOG_INTERVAL_NANOS)) {
				logger.debug("Client connection " + channel.remoteAddress() + " ended: " + reason.tag
						+ " (at most one such line a second; gateway_client_errors_total counts them all)");
			}
		}
	}

}
