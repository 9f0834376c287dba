package io.cryoprotect.gateway.validation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.cryoprotect.gateway.configfile.ConfigFiles;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The repository's filters-conf/ validation files, loaded without Spring, optionally with
 * edits.
 */
final class ShippedConfig {

	static final String DIR = "../filters-conf";

	private ShippedConfig() {
	}

	/** The shipped files, relative to filters-conf/, as the watcher would read them. */
	static SortedMap<String, String> files() {
		SortedMap<String, String> contents = new TreeMap<>();
		Path dir = Path.of(DIR);
		try (Stream<Path> paths = Files.walk(dir)) {
			for (Path path : (Iterable<Path>) paths::iterator) {
				String relative = dir.relativize(path).toString().replace('\\', '/');
				if (Files.isRegularFile(path) && ValidationConfigLoader.isValidationFile(relative)) {
					contents.put(relative, Files.readString(path));
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return contents;
	}

	static ConfigFiles with(Map<String, String> edits) {
		SortedMap<String, String> contents = files();
		edits.forEach((name, content) -> {
			if (content == null) {
				contents.remove(name);
			}
			else {
				contents.put(name, content);
			}
		});
		return ConfigFiles.of(DIR, contents, new TreeMap<>());
	}

	static ValidationConfig load() {
		return load(with(Map.of()));
	}

	static ValidationConfig load(ConfigFiles files) {
		return new ValidationConfigLoader(new ValidationMetrics(new SimpleMeterRegistry()), null).load(files);
	}

}
