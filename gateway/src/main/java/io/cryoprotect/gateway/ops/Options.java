package io.cryoprotect.gateway.ops;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@code --name value} options of a command, restricted to the names it knows. */
final class Options {

	private final Map<String, String> values;

	private Options(Map<String, String> values) {
		this.values = values;
	}

	static Options parse(List<String> args, List<String> known) {
		Map<String, String> values = new HashMap<>();
		for (int i = 0; i < args.size(); i++) {
			String arg = args.get(i);
			String name = arg;
			String value = null;
			int eq = arg.indexOf('=');
			if (arg.startsWith("--") && eq > 0) {
				name = arg.substring(0, eq);
				value = arg.substring(eq + 1);
			}
			if (!known.contains(name)) {
				throw new IllegalArgumentException("unknown option '" + arg + "'");
			}
			if (value == null) {
				if (i + 1 >= args.size()) {
					throw new IllegalArgumentException("option " + name + " needs a value");
				}
				value = args.get(++i);
			}
			values.put(name, value);
		}
		return new Options(values);
	}

	String get(String name, String fallback) {
		return values.getOrDefault(name, fallback);
	}

	String require(String name) {
		String value = values.get(name);
		if (value == null) {
			throw new IllegalArgumentException("option " + name + " is required");
		}
		return value;
	}

}
