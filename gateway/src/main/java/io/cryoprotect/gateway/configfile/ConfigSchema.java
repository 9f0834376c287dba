package io.cryoprotect.gateway.configfile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import com.networknt.schema.path.NodePath;
import com.networknt.schema.path.PathType;
import com.networknt.schema.serialization.node.TokenStreamLocationAware;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.convert.DurationStyle;

/**
 * The load pipeline of one operator-edited config file: strict YAML read (duplicate keys
 * and SpEL refused) into a tree, validation against the file's JSON Schema, every error
 * turned into a {@link ConfigProblem} with file, key and value, then binding to typed
 * records. The schema is the one published next to the file
 * ({@code routes/route-file.schema.json}, {@code filters-conf/*.schema.json}), packaged
 * under {@code config-schemas/}; only rules a schema cannot state (sums, uniqueness,
 * references between keys or files) are left to the loaders.
 *
 * <p>
 * A schema object may carry {@code errorMessage}, as editors read it: a string that
 * replaces the message of every value keyword of that object, or an object from keyword
 * to message (for {@code required}, from property name to message). Unknown keys and
 * wrong types keep their own messages, and while the file has any, only they are
 * reported: the rest would be noise.
 */
public final class ConfigSchema {

	private static final String ERROR_MESSAGE = "errorMessage";

	private static final String BASE = "classpath:config-schemas/";

	private static final Dialect DIALECT = Dialect.builder(Dialects.getDraft202012())
		.keyword(new NonValidationKeyword(ERROR_MESSAGE))
		.build();

	private static final SchemaRegistry REGISTRY = SchemaRegistry
		.withDialect(DIALECT, builder -> builder.schemaRegistryConfig(
				SchemaRegistryConfig.builder().pathType(PathType.JSON_POINTER).formatAssertionsEnabled(true).build()));

	/**
	 * Binds validated trees: strict, and durations written as in Spring ({@code 250ms},
	 * {@code 15s}, ISO-8601).
	 */
	private static final JsonMapper BINDER = JsonMapper.builder()
		.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
		.changeDefaultPropertyInclusion(inclusion -> inclusion.withValueInclusion(JsonInclude.Include.NON_NULL))
		.addModule(new SimpleModule("config-durations").addDeserializer(Duration.class, new ValueDeserializer<>() {
			@Override
			public Duration deserialize(JsonParser parser, DeserializationContext context) {
				return DurationStyle.detectAndParse(parser.getValueAsString());
			}
		}))
		.build();

	private final JsonNode source;

	private final Schema schema;

	private final boolean indexScalarItems;

	private ConfigSchema(JsonNode source, Schema schema, boolean indexScalarItems) {
		this.source = source;
		this.schema = schema;
		this.indexScalarItems = indexScalarItems;
	}

	/**
	 * The packaged schema {@code name}.
	 * @param indexScalarItems whether a problem in a list of plain values names the item
	 * ({@code paths[1]}) rather than the list ({@code paths}); the value names the item
	 * either way
	 */
	public static ConfigSchema load(String name, boolean indexScalarItems) {
		try (InputStream in = ConfigSchema.class.getClassLoader().getResourceAsStream("config-schemas/" + name)) {
			if (in == null) {
				throw new IllegalStateException("Schema config-schemas/" + name + " is not packaged");
			}
			JsonNode source = BINDER.readTree(in);
			Schema schema = REGISTRY.getSchema(SchemaLocation.of(BASE + name), source);
			return new ConfigSchema(source, schema, indexScalarItems);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Reads the file {@code values} collects problems for, with content {@code text}, and
	 * validates it. A value the schema refuses is added to {@code values}, so that the
	 * loader's own checks report theirs in the same rejection; bind only once
	 * {@link ConfigValues#rejectIfAny()} passed.
	 * @return the tree
	 * @throws ConfigRejectedException when the text is no YAML, or has unknown keys or
	 * wrong types
	 */
	public JsonNode read(ConfigValues values, String text) {
		JsonNode tree = StrictYamlReader.readTree(values.file(), text);
		List<ConfigProblem> structure = new ArrayList<>();
		for (Error error : schema.validate(tree)) {
			ConfigProblem problem = problem(values.file(), text, error);
			if (values.problems().contains(problem) || structure.contains(problem)) {
				continue;
			}
			if (("type".equals(error.getKeyword()) || "additionalProperties".equals(error.getKeyword()))
					&& alternativesMessage(error) == null) {
				structure.add(problem);
			}
			else {
				values.add(problem);
			}
		}
		if (!structure.isEmpty()) {
			throw new ConfigRejectedException(structure);
		}
		return tree;
	}

	/**
	 * Checks a value already bound from the file {@code values} collects problems for;
	 * each goes there.
	 */
	public void validate(ConfigValues values, Object bound) {
		for (Error error : schema.validate(BINDER.valueToTree(bound))) {
			ConfigProblem problem = problem(values.file(), null, error);
			if (!values.problems().contains(problem)) {
				values.add(problem);
			}
		}
	}

	/** Binds a validated (part of a) tree to {@code type}. */
	public static <T> T bind(JsonNode node, Class<T> type) {
		try {
			return BINDER.treeToValue(node, type);
		}
		catch (JacksonException ex) {
			throw new IllegalStateException("The schema let through what " + type.getSimpleName() + " cannot hold", ex);
		}
	}

	/**
	 * {@code base} with {@code over} laid on it, object by object: a value set in
	 * {@code over} wins.
	 */
	public static JsonNode merge(JsonNode base, JsonNode over) {
		if (base == null || base.isMissingNode() || !base.isObject() || over == null || over.isMissingNode()
				|| !over.isObject()) {
			return over == null || over.isMissingNode() ? base : over;
		}
		ObjectNode merged = ((ObjectNode) base).deepCopy();
		for (Map.Entry<String, JsonNode> e : over.properties()) {
			merged.set(e.getKey(), merge(merged.get(e.getKey()), e.getValue()));
		}
		return merged;
	}

	private ConfigProblem problem(String file, String text, Error error) {
		NodePath location = error.getInstanceLocation();
		JsonNode instance = error.getInstanceNode();
		JsonNode parentSchema = parentSchema(error);
		String keyword = error.getKeyword();
		String key = key(location, instance);
		String alternatives = alternativesMessage(error);
		if (alternatives != null) {
			return new ConfigProblem(file, key, value(instance), alternatives);
		}
		return switch (keyword) {
			case "additionalProperties" -> {
				int line = text == null ? 0 : StrictYamlReader.lineOfKey(text, error.getProperty());
				yield new ConfigProblem(line > 0 ? file + ":" + line : file, join(key, error.getProperty()),
						error.getProperty(), "unknown key; expected one of " + knownKeys(parentSchema));
			}
			case "propertyNames" -> new ConfigProblem(file, names(parentSchema) ? key : join(key, error.getProperty()),
					error.getProperty(), custom(parentSchema.path(keyword), keyword, null, message(error)));
			case "enum" -> parentSchema.has(ERROR_MESSAGE)
					? new ConfigProblem(file, key, value(instance), custom(parentSchema, keyword, null, message(error)))
					: new ConfigProblem(line(file, instance), key, value(instance),
							"expected one of " + constants(error.getSchemaNode()));
			case "required" -> new ConfigProblem(file, join(key, error.getProperty()), null,
					custom(parentSchema, keyword, error.getProperty(), "required"));
			case "type" -> new ConfigProblem(line(file, instance), key, scalar(instance),
					"expected " + typeName(error.getSchemaNode()));
			default ->
				new ConfigProblem(file, key, value(instance), custom(parentSchema, keyword, null, message(error)));
		};
	}

	/**
	 * When every branch of an {@code anyOf} or {@code oneOf} failed, networknt reports
	 * each branch's errors; an {@code errorMessage} for the combinator on the object
	 * holding it says it once instead.
	 */
	private String alternativesMessage(Error error) {
		NodePath fragment = error.getSchemaLocation().getFragment();
		JsonPointer pointer = JsonPointer.empty();
		String message = null;
		for (int i = 0; i < fragment.getNameCount() - 1; i++) {
			Object element = fragment.getElement(i);
			if ("anyOf".equals(element) || "oneOf".equals(element)) {
				JsonNode custom = source.at(pointer).path(ERROR_MESSAGE).path((String) element);
				message = custom.isString() ? custom.asString() : message;
			}
			pointer = element instanceof Integer index ? pointer.appendIndex(index)
					: pointer.appendProperty(String.valueOf(element));
		}
		return message;
	}

	/**
	 * The schema object holding the failed keyword, read from the source to find its
	 * {@code errorMessage}.
	 */
	private JsonNode parentSchema(Error error) {
		NodePath fragment = error.getSchemaLocation().getFragment();
		JsonPointer pointer = JsonPointer.empty();
		for (int i = 0; i < fragment.getNameCount() - 1; i++) {
			Object element = fragment.getElement(i);
			pointer = element instanceof Integer index ? pointer.appendIndex(index)
					: pointer.appendProperty(String.valueOf(element));
		}
		return source.at(pointer);
	}

	private static String custom(JsonNode parentSchema, String keyword, String property, String fallback) {
		JsonNode message = parentSchema.path(ERROR_MESSAGE);
		if (message.isString() && !"required".equals(keyword)) {
			return message.asString();
		}
		JsonNode byKeyword = message.path(keyword);
		if (byKeyword.isObject() && property != null) {
			byKeyword = byKeyword.path(property);
		}
		return byKeyword.isString() ? byKeyword.asString() : fallback;
	}

	private String key(NodePath location, JsonNode instance) {
		StringBuilder sb = new StringBuilder();
		int count = location.getNameCount();
		for (int i = 0; i < count; i++) {
			Object element = location.getElement(i);
			if (element instanceof Integer index) {
				if (indexScalarItems || i < count - 1 || instance == null || instance.isContainer()) {
					sb.append('[').append(index).append(']');
				}
			}
			else {
				sb.append(sb.isEmpty() ? "" : ".").append(element);
			}
		}
		return sb.toString();
	}

	/**
	 * Whether a mapping's keys come from a closed list (tier names, not ids or colours):
	 * a wrong one is a problem of the mapping, as a value outside an {@code enum} is of
	 * its key.
	 */
	private static boolean names(JsonNode parentSchema) {
		return parentSchema.path("propertyNames").has("enum");
	}

	/**
	 * An {@code enum} without its own message reads as a type would: the value's line,
	 * and the constants.
	 */
	private static String constants(JsonNode constants) {
		List<String> names = new ArrayList<>();
		constants.forEach(c -> names.add(c.asString()));
		return names.toString();
	}

	private static String join(String key, String property) {
		return key.isEmpty() ? property : key + "." + property;
	}

	private static String knownKeys(JsonNode parentSchema) {
		TreeSet<String> known = new TreeSet<>(parentSchema.path("properties").propertyNames());
		return known.toString();
	}

	private static String line(String file, JsonNode node) {
		if (node instanceof TokenStreamLocationAware located && located.tokenStreamLocation() != null
				&& located.tokenStreamLocation().getLineNr() > 0) {
			return file + ":" + located.tokenStreamLocation().getLineNr();
		}
		return file;
	}

	/** A scalar's text, a list of scalars as {@code [a, b]}; null for a mapping. */
	private static String value(JsonNode node) {
		if (node == null || node.isObject()) {
			return null;
		}
		if (node.isArray()) {
			List<String> items = new ArrayList<>();
			node.forEach(item -> items.add(item.isContainer() ? item.toString() : item.asString()));
			return items.toString();
		}
		return node.asString();
	}

	private static String scalar(JsonNode node) {
		return node == null || node.isContainer() || node.isNull() ? null : node.asString();
	}

	private static String typeName(JsonNode type) {
		List<String> names = new ArrayList<>();
		Iterator<JsonNode> types = type.isArray() ? type.iterator() : List.of(type).iterator();
		types.forEachRemaining(t -> names.add(switch (t.asString()) {
			case "integer" -> "an integer";
			case "number" -> "a number";
			case "boolean" -> "true or false";
			case "array" -> "a list";
			case "object" -> "a mapping";
			case "string" -> "a String";
			default -> t.asString();
		}));
		return names.stream().collect(Collectors.joining(" or "));
	}

	/** networknt's message without the instance location it starts with. */
	private static String message(Error error) {
		String message = error.getMessage();
		String prefix = error.getInstanceLocation() + ": ";
		return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
	}

}
