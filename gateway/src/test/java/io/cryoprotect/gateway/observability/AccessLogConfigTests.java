package io.cryoprotect.gateway.observability;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production logback-spring.xml (tests run on logback-test.xml) sends access lines
 * bare, batched by {@link BatchedStdoutAppender}: written at each flush, whole lines per
 * write, dropped rather than queued without bound.
 */
class AccessLogConfigTests {

	private final LoggerContext context = new LoggerContext();

	/** Records each write separately, as a pipe would receive them. */
	private final List<String> writes = new ArrayList<>();

	private final OutputStream sink = new OutputStream() {
		@Override
		public void write(int b) {
			writes.add(String.valueOf((char) b));
		}

		@Override
		public void write(byte[] bytes, int offset, int length) {
			writes.add(new String(bytes, offset, length, StandardCharsets.UTF_8));
		}
	};

	@AfterEach
	void stopContext() {
		context.stop();
	}

	private BatchedStdoutAppender appender(int maxBufferBytes) {
		context.setMDCAdapter(new LogbackMDCAdapter());
		BatchedStdoutAppender appender = new BatchedStdoutAppender();
		appender.setContext(context);
		// Flushed by the test, never by the timer.
		appender.setFlushIntervalMillis(3_600_000);
		appender.setMaxBufferBytes(maxBufferBytes);
		MessageLineEncoder encoder = new MessageLineEncoder();
		encoder.setContext(context);
		encoder.start();
		appender.setEncoder(encoder);
		appender.setOutputStream(sink);
		appender.start();
		Logger logger = context.getLogger("batched");
		logger.addAppender(appender);
		return appender;
	}

	private String written() {
		return String.join("", writes);
	}

	@Test
	void linesAreWrittenOnFlushAndAtStopInUtf8() {
		BatchedStdoutAppender appender = appender(1 << 20);
		Logger logger = context.getLogger("batched");
		logger.info("{\"line\":1}");
		logger.info("{\"line\":2}");
		assertThat(written()).as("batched, not yet written").isEmpty();
		appender.flush();
		assertThat(written()).isEqualTo("{\"line\":1}\n{\"line\":2}\n");
		logger.info("{\"line\":\"Glyc\u00e9rol\"}");
		appender.stop();
		assertThat(written()).endsWith("{\"line\":\"Glyc\u00e9rol\"}\n");
	}

	@Test
	void eachWriteIsWholeLinesOfAtMostPipeBuf() {
		BatchedStdoutAppender appender = appender(1 << 20);
		Logger logger = context.getLogger("batched");
		String line = "{\"pad\":\"" + "x".repeat(300) + "\"}";
		for (int i = 0; i < 100; i++) {
			logger.info(line);
		}
		String longLine = "{\"pad\":\"" + "y".repeat(5000) + "\"}";
		logger.info(longLine);
		logger.info(line);
		appender.flush();
		assertThat(written()).isEqualTo((line + "\n").repeat(100) + longLine + "\n" + line + "\n");
		assertThat(writes).hasSizeGreaterThan(3).allSatisfy(write -> assertThat(write).endsWith("\n"));
		assertThat(writes).filteredOn(write -> !write.contains("y"))
			.allSatisfy(write -> assertThat(write.getBytes(StandardCharsets.UTF_8).length)
				.isLessThanOrEqualTo(BatchedStdoutAppender.PIPE_BUF));
		assertThat(writes).filteredOn(write -> write.contains("y")).singleElement().isEqualTo(longLine + "\n");
	}

	@Test
	void aFullBufferDropsLinesUntilTheNextFlush() {
		BatchedStdoutAppender appender = appender(64);
		Logger logger = context.getLogger("batched");
		String line = "{\"line\":\"" + "z".repeat(20) + "\"}";
		for (int i = 0; i < 5; i++) {
			logger.info(line);
		}
		appender.flush();
		assertThat(written()).as("two 32-byte lines fit in 64 bytes").isEqualTo((line + "\n").repeat(2));
		logger.info(line);
		appender.flush();
		assertThat(written()).as("room again after a flush").isEqualTo((line + "\n").repeat(3));
	}

	@Test
	void accessLoggerWritesBareLinesThroughTheBatchedAppender() throws Exception {
		JoranConfigurator configurator = new JoranConfigurator();
		configurator.setContext(context);
		configurator.doConfigure(getClass().getResource("/logback-spring.xml"));
		Logger access = context.getLogger(AccessLog.LOGGER);
		assertThat(access.isAdditive()).isFalse();
		BatchedStdoutAppender batched = (BatchedStdoutAppender) access.getAppender("ACCESS");
		assertThat(batched.isStarted()).isTrue();
		assertThat(batched.getEncoder()).isInstanceOf(MessageLineEncoder.class);
		assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE")).isNotNull();
	}

}
