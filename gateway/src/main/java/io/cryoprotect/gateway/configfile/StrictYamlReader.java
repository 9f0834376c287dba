package io.cryoprotect.gateway.configfile;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.networknt.schema.serialization.node.LocationJsonNodeFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Binds an operator-edited YAML file to a typed model, refusing anything it does not
 * understand: unknown keys, duplicate keys, wrong types, and SpEL ({@code #{}) anywhere.
 * Every failure is turned into a {@link ConfigProblem} naming file, line, key and value.
 */
public final class StrictYamlReader {

	private static final Pattern SPEL = Pattern.compile("#\\{");

	private static final YAMLMapper MAPPER = YAMLMapper.builder()
		.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
		.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.build();

	private StrictYamlReader() {
	}

	/**
	 * Reads {@code text} (the content of {@code file}) into {@code type}.
	 * @throws ConfigRejectedException naming what is wrong and where
	 */
	public static <T> T read(String file, String text, Class<T> type) {
		rejectSpel(file, text);
		if (text.isBlank()) {
			throw new ConfigRejectedException(new ConfigProblem(file, "", "", "file is empty"));
		}
		try {
			T value = MAPPER.readValue(text, type);
			if (value == null) {
				throw new ConfigRejectedException(new ConfigProblem(file, "", "", "file is empty"));
			}
			return value;
		}
		catch (JacksonException ex) {
			throw new ConfigRejectedException(describe(file, text, ex));
		}
	}

	/**
	 * Reads {@code text} (the content of {@code file}) into a tree whose nodes know their
	 * line.
	 * @throws ConfigRejectedException naming what is wrong and where
	 */
	public static JsonNode readTree(String file, String text) {
		rejectSpel(file, text);
		if (text.isBlank()) {
			throw new ConfigRejectedException(new ConfigProblem(file, "", "", "file is empty"));
		}
		try (JsonParser parser = MAPPER.createParser(text)) {
			JsonNode tree = MAPPER.reader(new LocationJsonNodeFactory(parser)).readTree(parser);
			return tree == null ? MissingNode.getInstance() : tree;
		}
		catch (JacksonException ex) {
			throw new ConfigRejectedException(describe(file, text, ex));
		}
	}

	/**
	 * Rejects any SpEL expression; SCG would otherwise evaluate it when binding filter
	 * arguments.
	 */
	public static void rejectSpel(String file, String text) {
		Matcher m = SPEL.matcher(text);
		if (m.find()) {
			int line = 1;
			for (int i = 0; i < m.start(); i++) {
				if (text.charAt(i) == '\n') {
					line++;
				}
			}
			int end = text.indexOf('\n', m.start());
			String snippet = text.substring(m.start(), end < 0 ? text.length() : end).strip();
			throw new ConfigRejectedException(new ConfigProblem(file + ":" + line, "", snippet,
					"SpEL expressions ('#{') are not allowed in config files"));
		}
	}

	static ConfigProblem describe(String file, String text, JacksonException ex) {
		String where = ex.getLocation() != null && ex.getLocation().getLineNr() > 0
				? file + ":" + ex.getLocation().getLineNr() : file;
		String key = path(ex.getPath());
		if (ex instanceof UnrecognizedPropertyException unknown) {
			List<String> known = unknown.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
			int line = lineOfKey(text, unknown.getPropertyName());
			return new ConfigProblem(line > 0 ? file + ":" + line : where, key, unknown.getPropertyName(),
					"unknown key; expected one of " + known);
		}
		if (ex instanceof InvalidFormatException invalid) {
			return new ConfigProblem(where, key, String.valueOf(invalid.getValue()),
					"expected " + describeType(invalid.getTargetType()));
		}
		if (ex instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
			return new ConfigProblem(where, key, null, "expected " + describeType(mismatch.getTargetType()));
		}
		return new ConfigProblem(where, key, null, "unparseable YAML: " + firstLine(ex.getOriginalMessage()));
	}

	/**
	 * The line of an unknown key, found in the text because the parser has read past it
	 * by the time it reports; 0 when the key is not found exactly once.
	 */
	static int lineOfKey(String text, String key) {
		Matcher m = Pattern.compile("^[ \\t-]*\"?" + Pattern.quote(key) + "\"?[ \\t]*:", Pattern.MULTILINE)
			.matcher(text);
		if (!m.find()) {
			return 0;
		}
		int start = m.start();
		if (m.find()) {
			return 0;
		}
		int line = 1;
		for (int i = 0; i < start; i++) {
			if (text.charAt(i) == '\n') {
				line++;
			}
		}
		return line;
	}

	private static String path(List<JacksonException.Reference> refs) {
		StringBuilder sb = new StringBuilder();
		for (JacksonException.Reference ref : refs) {
			if (ref.getPropertyName() != null) {
				if (!sb.isEmpty()) {
					sb.append('.');
				}
				sb.append(ref.getPropertyName());
			}
			else if (ref.getIndex() >= 0) {
				sb.append('[').append(ref.getIndex()).append(']');
			}
		}
		return sb.toString();
	}

	private static String describeType(Class<?> type) {
		if (type.isEnum()) {
			return "one of " + java.util.Arrays.stream(type.getEnumConstants()).map(Object::toString).toList();
		}
		if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
			return "an integer";
		}
		if (type == boolean.class || type == Boolean.class) {
			return "true or false";
		}
		if (List.class.isAssignableFrom(type)) {
			return "a list";
		}
		if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
			return "a mapping";
		}
		return "a " + type.getSimpleName();
	}

	private static String firstLine(String message) {
		if (message == null) {
			return "";
		}
		int nl = message.indexOf('\n');
		return nl < 0 ? message : message.substring(0, nl);
	}

}
