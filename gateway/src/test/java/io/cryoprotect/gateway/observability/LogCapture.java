package io.cryoprotect.gateway.observability;

import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/** Collects the events of one logger synchronously, beside its real appenders. */
public final class LogCapture implements AutoCloseable {

	private final Logger logger;

	private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

	public LogCapture(String name) {
		this.logger = (Logger) LoggerFactory.getLogger(name);
		appender.start();
		logger.addAppender(appender);
	}

	/** A copy, since the gateway's event loops append while the test reads. */
	public List<String> messages() {
		synchronized (appender.list) {
			return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
		}
	}

	@Override
	public void close() {
		logger.detachAppender(appender);
	}

}
