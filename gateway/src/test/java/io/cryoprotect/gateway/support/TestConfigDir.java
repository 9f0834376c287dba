package io.cryoprotect.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A copy of one of the repository's config directories ({@code routes/},
 * {@code filters-conf/}) laid out the way a Kubernetes ConfigMap volume is: each
 * top-level entry is a symlink into {@code ..data}, itself a symlink to a versioned
 * directory. {@link #swap} publishes new content the way the kubelet does, by atomically
 * re-pointing {@code ..data}; {@link #editInPlace} rewrites a file where it lies, as an
 * editor would.
 */
public final class TestConfigDir {

	/**
	 * Turns the shipped ratelimits.yml's top-level mode to shadow: counted, never
	 * rejected.
	 */
	public static final UnaryOperator<String> SHADOW_RATE_LIMITS = text -> {
		String edited = text.replaceFirst("(?m)^mode: enforce$", "mode: shadow");
		if (edited.equals(text)) {
			throw new IllegalStateException("ratelimits.yml has no top-level 'mode: enforce' line to switch");
		}
		return edited;
	};

	/**
	 * Turns the shipped validation.yml's response sampling to every response, so each
	 * test's response is checked.
	 */
	public static final UnaryOperator<String> CHECK_EVERY_RESPONSE = text -> {
		String edited = text.replaceFirst("(?m)^  responseSampleRate: [0-9.]+", "  responseSampleRate: 1.0");
		if (edited.equals(text)) {
			throw new IllegalStateException("validation.yml has no defaults.responseSampleRate line to switch");
		}
		return edited;
	};

	private final Path root;

	private final Map<String, String> originals = new TreeMap<>();

	private final Set<String> topLevel = new TreeSet<>();

	private int version;

	/**
	 * Copies every file below {@code ../<name>} (this module's sibling directory), keyed
	 * by relative path.
	 */
	public TestConfigDir(String name) {
		this(name, Map.of());
	}

	/**
	 * As {@link #TestConfigDir(String)}, with some files' repository content edited: the
	 * baseline {@link #restore()} returns to.
	 */
	public TestConfigDir(String name, Map<String, UnaryOperator<String>> edits) {
		Path source = Path.of("..", name);
		try {
			root = Files.createTempDirectory(name + "-");
			if (Files.isDirectory(source)) {
				try (Stream<Path> files = Files.walk(source)) {
					for (Path file : (Iterable<Path>) files::iterator) {
						if (Files.isRegularFile(file)) {
							originals.put(source.relativize(file).toString().replace('\\', '/'),
									Files.readString(file));
						}
					}
				}
			}
			edits.forEach((file, edit) -> {
				if (!originals.containsKey(file)) {
					throw new IllegalArgumentException("No file " + file + " in ../" + name);
				}
				originals.put(file, edit.apply(originals.get(file)));
			});
			publish(originals);
			for (String file : originals.keySet()) {
				String first = file.contains("/") ? file.substring(0, file.indexOf('/')) : file;
				if (topLevel.add(first)) {
					Files.createSymbolicLink(root.resolve(first), Path.of("..data", first));
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public String path() {
		return root.toString();
	}

	public String original(String name) {
		return originals.get(name);
	}

	/**
	 * Publishes new content for one file (others unchanged) through a {@code ..data}
	 * symlink swap.
	 */
	public void swap(String name, String content) {
		Map<String, String> next = current();
		next.put(name, content);
		publish(next);
	}

	/** Overwrites the file's current target in place. */
	public void editInPlace(String name, String content) {
		try {
			Files.writeString(root.resolve("..data").resolve(name), content);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Puts every file back to the repository's version. */
	public void restore() {
		if (!current().equals(originals)) {
			publish(originals);
		}
	}

	private Map<String, String> current() {
		Map<String, String> contents = new TreeMap<>();
		Path data = root.resolve("..data");
		try (Stream<Path> files = Files.walk(data.toRealPath())) {
			Path real = data.toRealPath();
			for (Path file : (Iterable<Path>) files::iterator) {
				if (Files.isRegularFile(file)) {
					contents.put(real.relativize(file).toString().replace('\\', '/'), Files.readString(file));
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return contents;
	}

	private synchronized void publish(Map<String, String> contents) {
		try {
			Path dir = root.resolve("..v" + (++version));
			Files.createDirectory(dir);
			for (Map.Entry<String, String> e : contents.entrySet()) {
				Path file = dir.resolve(e.getKey());
				Files.createDirectories(file.getParent());
				Files.writeString(file, e.getValue());
			}
			Path tmp = root.resolve("..data_tmp");
			Files.deleteIfExists(tmp);
			Files.createSymbolicLink(tmp, dir.getFileName());
			Files.move(tmp, root.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
					StandardCopyOption.REPLACE_EXISTING);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
