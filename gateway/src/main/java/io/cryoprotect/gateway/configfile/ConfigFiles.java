package io.cryoprotect.gateway.configfile;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The content of every config file in one directory at one moment, with a version hash of
 * the whole set, so that a change to any file (or a symlink swap) yields a new version.
 * Files that could not be decoded are listed in {@code unreadable} with the reason.
 */
public record ConfigFiles(String dirName, SortedMap<String, String> contents, SortedMap<String, String> unreadable,
		String version) {

	public static ConfigFiles of(String dirName, SortedMap<String, String> contents,
			SortedMap<String, String> unreadable) {
		return new ConfigFiles(dirName, contents, unreadable, hash(contents, unreadable));
	}

	/**
	 * The name an operator sees in messages: the directory as configured plus the file
	 * name.
	 */
	public String displayName(String fileName) {
		return dirName.endsWith("/") ? dirName + fileName : dirName + "/" + fileName;
	}

	/** Rejects the whole set when any file could not be read as text. */
	public void requireReadable() {
		if (!unreadable.isEmpty()) {
			List<ConfigProblem> problems = new ArrayList<>();
			unreadable.forEach((file, reason) -> problems.add(new ConfigProblem(displayName(file), "", null, reason)));
			throw new ConfigRejectedException(problems);
		}
	}

	private static String hash(SortedMap<String, String> contents, SortedMap<String, String> unreadable) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			for (Map<String, String> map : List.of(contents, unreadable)) {
				for (Map.Entry<String, String> e : map.entrySet()) {
					digest.update(e.getKey().getBytes(StandardCharsets.UTF_8));
					digest.update((byte) 0);
					digest.update(e.getValue().getBytes(StandardCharsets.UTF_8));
					digest.update((byte) 0);
				}
			}
			return HexFormat.of().formatHex(digest.digest(), 0, 6);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is always available", ex);
		}
	}

}
