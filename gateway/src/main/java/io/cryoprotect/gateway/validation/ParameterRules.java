package io.cryoprotect.gateway.validation;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.networknt.schema.Error;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The query or path parameters of an endpoint, checked as one JSON object against an
 * inline schema. Parameters arrive as text, so each is first typed by the {@code type}
 * its property declares ({@code integer}, {@code number}, {@code boolean}, or an
 * {@code array} of those); text that does not fit stays text and the schema's
 * {@code type} keyword reports it.
 */
final class ParameterRules {

	private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

	private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]{0,99})");

	private static final Pattern NUMBER = Pattern
		.compile("-?(0|[1-9][0-9]{0,99})(\\.[0-9]{1,100})?([eE][+-]?[0-9]{1,4})?");

	private final String in;

	private final SchemaCheck schema;

	private final Map<String, Declared> declared = new HashMap<>();

	/** What a property's schema says a value is: a scalar type, or an array of one. */
	private record Declared(String type, boolean array) {
	}

	ParameterRules(String in, SchemaCheck schema) {
		this.in = in;
		this.schema = schema;
		JsonNode properties = schema.schema().getSchemaNode().path("properties");
		for (Map.Entry<String, JsonNode> property : properties.properties()) {
			String type = declaredType(property.getValue());
			declared.put(property.getKey(), "array".equals(type)
					? new Declared(declaredType(property.getValue().path("items")), true) : new Declared(type, false));
		}
	}

	/**
	 * Every violation by these parameter values (all values of a repeated parameter, in
	 * order).
	 */
	List<Violation> violations(Map<String, List<String>> values) {
		ObjectNode object = NODES.objectNode();
		values.forEach((name, list) -> object.set(name, typed(name, list)));
		List<Error> errors = schema.schema().validate(object);
		if (errors.isEmpty()) {
			return List.of();
		}
		List<Violation> out = new ArrayList<>(errors.size());
		for (Error error : errors) {
			out.add(Violation.parameter(in, name(error), error.getKeyword(), error.getMessage()));
		}
		return out;
	}

	private JsonNode typed(String name, List<String> values) {
		Declared declaration = declared.getOrDefault(name, new Declared("string", false));
		if (declaration.array() || values.size() != 1) {
			ArrayNode array = NODES.arrayNode(values.size());
			values.forEach(value -> array.add(scalar(declaration.type(), value)));
			return array;
		}
		return scalar(declaration.type(), values.get(0));
	}

	private static JsonNode scalar(String type, String value) {
		if (value == null) {
			return NODES.stringNode("");
		}
		if ("integer".equals(type) && INTEGER.matcher(value).matches()) {
			return NODES.numberNode(new BigInteger(value));
		}
		if ("number".equals(type) && NUMBER.matcher(value).matches()) {
			double number = Double.parseDouble(value);
			if (Double.isFinite(number)) {
				return NODES.numberNode(number);
			}
		}
		if ("boolean".equals(type) && ("true".equals(value) || "false".equals(value))) {
			return NODES.booleanNode(Boolean.parseBoolean(value));
		}
		return NODES.stringNode(value);
	}

	/**
	 * The first of integer, number, boolean or array a property schema allows; otherwise
	 * string.
	 */
	private static String declaredType(JsonNode propertySchema) {
		JsonNode type = propertySchema.path("type");
		if (type.isString()) {
			return type.asString();
		}
		for (JsonNode option : type) {
			String name = option.asString();
			if (!"null".equals(name) && !"string".equals(name)) {
				return name;
			}
		}
		return "string";
	}

	/**
	 * The parameter an error is about: the first step of its location, or the property it
	 * names.
	 */
	private static String name(Error error) {
		if (error.getInstanceLocation().getNameCount() > 0) {
			return String.valueOf(error.getInstanceLocation().getElement(0));
		}
		return error.getProperty() != null ? error.getProperty() : "";
	}

	@Override
	public String toString() {
		return in + " " + declared.keySet();
	}

}
