package io.cryoprotect.gateway.configfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Watches one config directory by polling its content on a dedicated thread, never the
 * event loop. Polling content rather than inotify events is deliberate: a Kubernetes
 * ConfigMap volume updates by swapping its {@code ..data} symlink, and editors save by
 * rename, neither of which reliably produces an event for the file itself.
 */
public final class ConfigDirectoryWatcher implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(ConfigDirectoryWatcher.class);

	private final String dirName;

	private final Path dir;

	private final Predicate<String> include;

	private final Consumer<ConfigFiles> onChange;

	private final ScheduledExecutorService executor;

	private String lastVersion;

	public ConfigDirectoryWatcher(String dirName, Predicate<String> include, Consumer<ConfigFiles> onChange) {
		this.dirName = dirName;
		this.dir = Path.of(dirName);
		this.include = include;
		this.onChange = onChange;
		this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread t = new Thread(r, "config-watch-" + dir.getFileName());
			t.setDaemon(true);
			return t;
		});
	}

	/**
	 * Starts polling; the first check runs at once so startup does not wait an interval.
	 */
	public void start(Duration interval) {
		executor.scheduleWithFixedDelay(this::checkQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
	}

	/**
	 * Reads the directory now and reports it if its content changed since the last
	 * report.
	 */
	public synchronized void check() throws IOException {
		ConfigFiles files = read();
		if (!Objects.equals(files.version(), lastVersion)) {
			lastVersion = files.version();
			onChange.accept(files);
		}
	}

	/**
	 * Reads the directory and hands the files to {@code prepare} on the watcher's thread,
	 * without reporting them: for a first load that runs while the caller does other
	 * work.
	 */
	public <R> CompletableFuture<R> readAhead(Function<ConfigFiles, R> prepare) {
		return CompletableFuture.supplyAsync(() -> {
			try {
				return prepare.apply(read());
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}, executor);
	}

	/**
	 * Records {@code files} as reported, so that polling reports only what changes after
	 * them.
	 */
	public synchronized void seen(ConfigFiles files) {
		lastVersion = files.version();
	}

	private void checkQuietly() {
		try {
			check();
		}
		catch (IOException ex) {
			// A read can race with a symlink swap or an editor's rename; the next poll
			// sees the settled state.
			logger.debug("Could not read config directory " + dirName + ", retrying next poll", ex);
		}
		catch (RuntimeException ex) {
			logger.error("Config directory " + dirName + " could not be applied", ex);
		}
	}

	private ConfigFiles read() throws IOException {
		SortedMap<String, String> contents = new TreeMap<>();
		SortedMap<String, String> unreadable = new TreeMap<>();
		if (Files.isDirectory(dir)) {
			// Following links reaches subdirectories such as schemas/, which a ConfigMap
			// volume mounts as
			// a symlink into ..data like every top-level entry.
			// The walk reports an entry that vanished under it (a ConfigMap swap removing
			// ..data_tmp) as an
			// UncheckedIOException: unwrapped, it is the IOException a racing read is,
			// and is retried next poll.
			try (Stream<Path> entries = Files.walk(dir, 2, FileVisitOption.FOLLOW_LINKS)) {
				for (Path path : (Iterable<Path>) entries::iterator) {
					String relative = dir.relativize(path).toString().replace('\\', '/');
					if (relative.isEmpty() || relative.startsWith(".") || relative.contains("/.")
							|| !Files.isRegularFile(path) || !include.test(relative)) {
						continue;
					}
					byte[] bytes = Files.readAllBytes(path);
					String text = decode(bytes);
					if (text != null) {
						contents.put(relative, text);
					}
					else {
						unreadable.put(relative, "not valid UTF-8 (" + bytes.length + " bytes)");
					}
				}
			}
			catch (UncheckedIOException ex) {
				throw ex.getCause();
			}
		}
		return ConfigFiles.of(dirName, contents, unreadable);
	}

	private static String decode(byte[] bytes) {
		try {
			return StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes))
				.toString();
		}
		catch (CharacterCodingException ex) {
			return null;
		}
	}

	@Override
	public void close() {
		executor.shutdownNow();
	}

}
