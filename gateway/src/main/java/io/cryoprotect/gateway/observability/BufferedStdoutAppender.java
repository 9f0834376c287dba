package io.cryoprotect.gateway.observability;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.core.OutputStreamAppender;

/**
 * Writes the access log to standard output through a buffer that is flushed when full and at a
 * fixed interval, as NGINX's {@code access_log ... buffer= flush=} and Envoy's file flush interval
 * do: one write per batch of lines instead of one per request. A line is at most one flush interval
 * late; stopping the appender (at shutdown) flushes what is left. It sits behind the asynchronous
 * appender, so the event loop never waits on it.
 */
public class BufferedStdoutAppender<E> extends OutputStreamAppender<E> {

	private int bufferSize = 64 * 1024;

	private long flushIntervalMillis = 200;

	private ScheduledExecutorService flusher;

	public void setBufferSize(int bufferSize) {
		this.bufferSize = bufferSize;
	}

	public void setFlushIntervalMillis(long flushIntervalMillis) {
		this.flushIntervalMillis = flushIntervalMillis;
	}

	@Override
	public void start() {
		setImmediateFlush(false);
		if (getOutputStream() == null) {
			setOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), bufferSize) {
				@Override
				public void close() throws IOException {
					// Stopping the appender must not close the process's standard output.
					flush();
				}
			});
		}
		flusher = Executors.newSingleThreadScheduledExecutor(runnable -> {
			Thread thread = new Thread(runnable, "access-log-flush");
			thread.setDaemon(true);
			return thread;
		});
		flusher.scheduleWithFixedDelay(this::flush, flushIntervalMillis, flushIntervalMillis, TimeUnit.MILLISECONDS);
		super.start();
	}

	/** Writes out the buffered lines. */
	void flush() {
		streamWriteLock.lock();
		try {
			if (getOutputStream() != null) {
				getOutputStream().flush();
			}
		}
		catch (IOException ex) {
			addError("Could not flush the access log", ex);
		}
		finally {
			streamWriteLock.unlock();
		}
	}

	@Override
	public void stop() {
		if (flusher != null) {
			flusher.shutdownNow();
		}
		flush();
		super.stop();
	}

}
