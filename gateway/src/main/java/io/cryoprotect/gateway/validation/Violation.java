package io.cryoprotect.gateway.validation;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One way a request or response breaks its endpoint's rules, as listed in the problem's
 * {@code errors[]}: a body violation names the field by JSON Pointer, a parameter
 * violation names the parameter and where it was ({@code query} or {@code path}).
 */
record Violation(String pointer, String parameter, String in, String keyword, String message) {

	static Violation body(String pointer, String keyword, String message) {
		return new Violation(pointer, null, null, keyword, message);
	}

	static Violation parameter(String in, String name, String keyword, String message) {
		return new Violation(null, name, in, keyword, message);
	}

	/**
	 * The members of this entry in the problem body; absent parts are left out rather
	 * than null.
	 */
	Map<String, Object> toMap() {
		Map<String, Object> out = new LinkedHashMap<>();
		if (parameter != null) {
			out.put("parameter", parameter);
			out.put("in", in);
		}
		else {
			out.put("pointer", pointer);
		}
		out.put("keyword", keyword);
		out.put("message", message);
		return out;
	}

	@Override
	public String toString() {
		String where = parameter != null ? in + " parameter '" + parameter + "'" : "'" + pointer + "'";
		return where + " " + keyword + ": " + message;
	}

}
