package io.cryoprotect.gateway.observability;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production logback-spring.xml (tests run on logback-test.xml) sends access lines bare and
 * asynchronously, through a buffer flushed at an interval.
 */
class AccessLogConfigTests {

	@Test
	void bufferedAppenderWritesLinesOnFlushAndAtStop() {
		LoggerContext context = new LoggerContext();
		context.setMDCAdapter(new LogbackMDCAdapter());
		ByteArrayOutputStream sink = new ByteArrayOutputStream();
		BufferedStdoutAppender<ILoggingEvent> appender = new BufferedStdoutAppender<>();
		appender.setContext(context);
		appender.setFlushIntervalMillis(60_000);
		PatternLayoutEncoder encoder = new PatternLayoutEncoder();
		encoder.setContext(context);
		encoder.setPattern("%m%n");
		encoder.start();
		appender.setEncoder(encoder);
		appender.setOutputStream(new BufferedOutputStream(sink, 1024));
		appender.start();
		Logger logger = context.getLogger("buffered");
		logger.addAppender(appender);
		logger.info("{\"line\":1}");
		logger.info("{\"line\":2}");
		assertThat(sink.toString(StandardCharsets.UTF_8)).as("buffered, not yet written").isEmpty();
		appender.flush();
		assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("{\"line\":1}\n{\"line\":2}\n");
		logger.info("{\"line\":3}");
		appender.stop();
		assertThat(sink.toString(StandardCharsets.UTF_8)).endsWith("{\"line\":3}\n");
		context.stop();
	}

	@Test
	void accessLoggerWritesBareLinesThroughANonBlockingAsyncAppender() throws Exception {
		LoggerContext context = new LoggerContext();
		JoranConfigurator configurator = new JoranConfigurator();
		configurator.setContext(context);
		configurator.doConfigure(getClass().getResource("/logback-spring.xml"));
		try {
			Logger access = context.getLogger(AccessLog.LOGGER);
			assertThat(access.isAdditive()).isFalse();
			AsyncAppender async = (AsyncAppender) access.getAppender("ACCESS");
			assertThat(async.isNeverBlock()).isTrue();
			BufferedStdoutAppender<?> stdout = (BufferedStdoutAppender<?>) async.getAppender("ACCESS_CONSOLE");
			assertThat(stdout.isImmediateFlush()).isFalse();
			assertThat(((PatternLayoutEncoder) stdout.getEncoder()).getPattern()).isEqualTo("%m%n");
			assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE")).isNotNull();
		}
		finally {
			context.stop();
		}
	}

}
