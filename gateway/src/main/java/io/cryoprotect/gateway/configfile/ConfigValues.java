package io.cryoprotect.gateway.configfile;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the problems of one config file while a loader checks its values, so that one
 * rejection names every bad key at once, each with file, key and value.
 */
public final class ConfigValues {

	private final String file;

	private final List<ConfigProblem> problems = new ArrayList<>();

	public ConfigValues(String file) {
		this.file = file;
	}

	public String file() {
		return file;
	}

	public void problem(String key, Object value, String reason) {
		add(new ConfigProblem(file, key, value == null ? null : String.valueOf(value), reason));
	}

	public void add(ConfigProblem problem) {
		problems.add(problem);
	}

	/** The problems found so far, in the order found. */
	public List<ConfigProblem> problems() {
		return problems;
	}

	/** Whether a problem was found at {@code key} or inside it, e.g. by the schema. */
	public boolean reported(String key) {
		for (ConfigProblem problem : problems) {
			String at = problem.key();
			if (at != null && at.startsWith(key) && (at.length() == key.length() || at.charAt(key.length()) == '.'
					|| at.charAt(key.length()) == '[')) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The constant of {@code type} named {@code name}; {@code fallback} when absent or
	 * not one of them (the file's schema names the constants and reports any other).
	 */
	public static <E extends Enum<E>> E constant(Class<E> type, String name, E fallback) {
		if (name == null) {
			return fallback;
		}
		try {
			return Enum.valueOf(type, name);
		}
		catch (IllegalArgumentException ex) {
			return fallback;
		}
	}

	/**
	 * @throws ConfigRejectedException listing every problem found, if any
	 */
	public void rejectIfAny() {
		if (!problems.isEmpty()) {
			throw new ConfigRejectedException(problems);
		}
	}

}
