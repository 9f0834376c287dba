package io.cryoprotect.gateway.observability;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;

/**
 * Encodes an event as its message and a newline, in UTF-8: the {@code %m%n} pattern
 * without the pattern layout's converter loop and intermediate strings, for lines that
 * are already formatted (the access log's JSON).
 */
public class MessageLineEncoder extends EncoderBase<ILoggingEvent> {

	@Override
	public byte[] headerBytes() {
		return null;
	}

	@Override
	public byte[] encode(ILoggingEvent event) {
		byte[] message = event.getFormattedMessage().getBytes(StandardCharsets.UTF_8);
		byte[] line = Arrays.copyOf(message, message.length + 1);
		line[message.length] = '\n';
		return line;
	}

	@Override
	public byte[] footerBytes() {
		return null;
	}

}
