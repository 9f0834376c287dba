package io.cryoprotect.gateway.observability;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The production logback-spring.xml (tests run on logback-test.xml) sends access lines bare and asynchronously. */
class AccessLogConfigTests {

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
			ConsoleAppender<?> console = (ConsoleAppender<?>) async.getAppender("ACCESS_CONSOLE");
			assertThat(((PatternLayoutEncoder) console.getEncoder()).getPattern()).isEqualTo("%m%n");
			assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE")).isNotNull();
		}
		finally {
			context.stop();
		}
	}

}
