package io.cryoprotect.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A copy of the repository's {@code routes/} laid out the way a Kubernetes ConfigMap volume
 * is: the files are symlinks into {@code ..data}, itself a symlink to a versioned directory.
 * {@link #swap} publishes new content the way the kubelet does, by atomically re-pointing
 * {@code ..data}; {@link #editInPlace} rewrites a file where it lies, as an editor would.
 */
public final class TestRoutesDir {

	private static final Path SOURCE = Path.of("..", "routes");

	private final Path root;

	private final Map<String, String> originals = new TreeMap<>();

	private int version;

	public TestRoutesDir() {
		try {
			root = Files.createTempDirectory("routes-");
			try (Stream<Path> files = Files.list(SOURCE)) {
				for (Path file : (Iterable<Path>) files::iterator) {
					String name = file.getFileName().toString();
					if (name.endsWith(".yml")) {
						originals.put(name, Files.readString(file));
					}
				}
			}
			publish(originals);
			for (String name : originals.keySet()) {
				Files.createSymbolicLink(root.resolve(name), Path.of("..data", name));
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

	/** Publishes new content for one file (others unchanged) through a {@code ..data} symlink swap. */
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
		try {
			for (String name : originals.keySet()) {
				contents.put(name, Files.readString(root.resolve(name)));
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
				Files.writeString(dir.resolve(e.getKey()), e.getValue());
			}
			Path tmp = root.resolve("..data_tmp");
			Files.deleteIfExists(tmp);
			Files.createSymbolicLink(tmp, dir.getFileName());
			Files.move(tmp, root.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
