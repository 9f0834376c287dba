package io.cryoprotect.gateway.configfile;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown when a config file or set of files fails validation; the whole set is rejected.
 */
public class ConfigRejectedException extends RuntimeException {

	private final List<ConfigProblem> problems;

	public ConfigRejectedException(List<ConfigProblem> problems) {
		super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("; ")));
		this.problems = List.copyOf(problems);
	}

	public ConfigRejectedException(ConfigProblem problem) {
		this(List.of(problem));
	}

	public List<ConfigProblem> problems() {
		return problems;
	}

}
