package io.cryoprotect.gateway.observability;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes events to standard output in batches, with no hand-off per event. The logging
 * thread encodes its event into one of a few striped buffers, picked by thread id so that
 * each event loop thread mostly has its own, uncontended, lock; a flusher thread writes
 * the buffers out every {@code flushIntervalMillis}. (An {@code AsyncAppender} wakes its
 * worker through a blocking queue for every line: under load that futex signal cost more
 * than the rest of the access log.)
 * <p>
 * A stripe that holds {@code maxBufferBytes} drops further events until the next flush
 * and the drops are reported on this class's logger, so a stalled stdout never blocks the
 * caller or grows the heap. Each write is whole lines of at most {@value #PIPE_BUF}
 * bytes, which a pipe keeps atomic: other writers of stdout (the console appender) cannot
 * split a line.
 */
public class BatchedStdoutAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

	/** POSIX's smallest atomic pipe write; Linux's is 4096 too. */
	static final int PIPE_BUF = 4096;

	private static final Logger logger = LoggerFactory.getLogger(BatchedStdoutAppender.class);

	private Encoder<ILoggingEvent> encoder;

	/** Twice the event loops (one per core), so that threads rarely share a stripe. */
	private final int stripeCount = Math.max(2, 2 * Runtime.getRuntime().availableProcessors());

	private int maxBufferBytes = 1 << 20;

	private long flushIntervalMillis = 200;

	private OutputStream out;

	private Stripe[] stripes;

	private ScheduledExecutorService flusher;

	private final ReentrantLock flushLock = new ReentrantLock();

	public void setEncoder(Encoder<ILoggingEvent> encoder) {
		this.encoder = encoder;
	}

	public Encoder<ILoggingEvent> getEncoder() {
		return encoder;
	}

	/** Per stripe: what one flush interval may hold before lines are dropped. */
	public void setMaxBufferBytes(int maxBufferBytes) {
		this.maxBufferBytes = maxBufferBytes;
	}

	public void setFlushIntervalMillis(long flushIntervalMillis) {
		this.flushIntervalMillis = flushIntervalMillis;
	}

	/** Standard output unless set (tests). */
	void setOutputStream(OutputStream out) {
		this.out = out;
	}

	@Override
	public void start() {
		if (encoder == null) {
			addError("No encoder set for the appender named \"" + name + "\".");
			return;
		}
		if (out == null) {
			out = new FileOutputStream(FileDescriptor.out);
		}
		stripes = new Stripe[stripeCount];
		for (int i = 0; i < stripes.length; i++) {
			stripes[i] = new Stripe(Math.min(8192, maxBufferBytes));
		}
		flusher = Executors.newSingleThreadScheduledExecutor(runnable -> {
			Thread thread = new Thread(runnable, "access-log-flush");
			thread.setDaemon(true);
			return thread;
		});
		flusher.scheduleWithFixedDelay(this::flush, flushIntervalMillis, flushIntervalMillis, TimeUnit.MILLISECONDS);
		super.start();
	}

	@Override
	protected void append(ILoggingEvent event) {
		byte[] line = encoder.encode(event);
		Stripe stripe = stripes[(int) (Thread.currentThread().getId() % stripes.length)];
		stripe.lock.lock();
		try {
			stripe.add(line, maxBufferBytes);
		}
		finally {
			stripe.lock.unlock();
		}
	}

	/** Writes out what every stripe holds; one flush at a time. */
	void flush() {
		flushLock.lock();
		try {
			long dropped = 0;
			for (Stripe stripe : stripes) {
				byte[] lines;
				int size;
				stripe.lock.lock();
				try {
					lines = stripe.buffer;
					size = stripe.size;
					dropped += stripe.dropped;
					stripe.swap();
				}
				finally {
					stripe.lock.unlock();
				}
				write(lines, size);
			}
			if (dropped > 0) {
				logger.warn("Dropped {} access log lines: standard output did not keep up", dropped);
			}
		}
		finally {
			flushLock.unlock();
		}
	}

	/**
	 * Whole lines, at most {@link #PIPE_BUF} bytes per write unless one line is longer.
	 */
	private void write(byte[] lines, int size) {
		int start = 0;
		try {
			while (start < size) {
				int end = Math.min(size, start + PIPE_BUF);
				if (end < size) {
					int cut = lastNewline(lines, start, end);
					end = cut >= start ? cut + 1 : nextNewline(lines, end, size) + 1;
				}
				out.write(lines, start, end - start);
				start = end;
			}
			out.flush();
		}
		catch (IOException ex) {
			addError("Could not write the access log", ex);
		}
	}

	private static int lastNewline(byte[] lines, int from, int to) {
		for (int i = to - 1; i >= from; i--) {
			if (lines[i] == '\n') {
				return i;
			}
		}
		return -1;
	}

	private static int nextNewline(byte[] lines, int from, int size) {
		for (int i = from; i < size; i++) {
			if (lines[i] == '\n') {
				return i;
			}
		}
		return size - 1;
	}

	@Override
	public void stop() {
		if (!isStarted()) {
			return;
		}
		super.stop();
		flusher.shutdownNow();
		// Never closes standard output: the process may still write to it.
		flush();
	}

	/**
	 * One buffer filled by the logging threads, and the one the flusher last wrote,
	 * swapped at each flush.
	 */
	private static final class Stripe {

		final ReentrantLock lock = new ReentrantLock();

		byte[] buffer;

		byte[] spare;

		int size;

		long dropped;

		Stripe(int initialBytes) {
			this.buffer = new byte[initialBytes];
			this.spare = new byte[initialBytes];
		}

		void add(byte[] line, int maxBytes) {
			int needed = size + line.length;
			if (needed > maxBytes) {
				dropped++;
				return;
			}
			if (needed > buffer.length) {
				byte[] grown = new byte[Math.min(maxBytes, Math.max(needed, 2 * buffer.length))];
				System.arraycopy(buffer, 0, grown, 0, size);
				buffer = grown;
			}
			System.arraycopy(line, 0, buffer, size, line.length);
			size = needed;
		}

		void swap() {
			byte[] written = buffer;
			buffer = spare;
			spare = written;
			size = 0;
			dropped = 0;
		}

	}

}
