package io.cryoprotect.gateway.configfile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.convert.DurationStyle;

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

	/** A positive duration such as {@code 250ms}, {@code 15s} or {@code 1m}; null (and a problem) when missing or bad. */
	public Duration duration(String key, String text) {
		if (text == null) {
			problem(key, null, "required, e.g. 250ms, 15s or 1m");
			return null;
		}
		try {
			Duration value = DurationStyle.detectAndParse(text);
			if (value.isNegative() || value.isZero()) {
				problem(key, text, "must be positive");
				return null;
			}
			return value;
		}
		catch (IllegalArgumentException ex) {
			problem(key, text, "not a duration, e.g. 250ms, 15s or 1m");
			return null;
		}
	}

	/** An integer in {@code [min, max]}; {@code min} (and a problem) when missing or out of range. */
	public int range(String key, Integer value, int min, int max) {
		if (value == null || value < min || value > max) {
			problem(key, value, "required, an integer from " + min + " to " + max);
			return min;
		}
		return value;
	}

	/** @throws ConfigRejectedException listing every problem found, if any */
	public void rejectIfAny() {
		if (!problems.isEmpty()) {
			throw new ConfigRejectedException(problems);
		}
	}

}
