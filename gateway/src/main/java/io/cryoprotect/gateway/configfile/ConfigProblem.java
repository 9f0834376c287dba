package io.cryoprotect.gateway.configfile;

/**
 * One reason a config file was rejected, naming the file, the key path inside it and the
 * offending value, so an operator can find and fix it without reading gateway code.
 */
public record ConfigProblem(String file, String key, String value, String reason) {

	@Override
	public String toString() {
		StringBuilder sb = new StringBuilder(file);
		if (key != null && !key.isEmpty()) {
			sb.append(": key '").append(key).append('\'');
		}
		if (value != null) {
			sb.append(" value '").append(abbreviate(value)).append('\'');
		}
		return sb.append(": ").append(reason).toString();
	}

	private static String abbreviate(String value) {
		return value.length() <= 120 ? value : value.substring(0, 117) + "...";
	}

}
