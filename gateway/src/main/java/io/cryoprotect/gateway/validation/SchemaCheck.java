package io.cryoprotect.gateway.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;

/**
 * One compiled JSON Schema, named as in validation.yml, that turns its errors into
 * {@link Violation}s.
 */
record SchemaCheck(String name, Schema schema) {

	// These report the object that holds the property, with the property's name on the
	// side; the
	// client wants the field itself.
	private static final Set<String> PROPERTY_KEYWORDS = Set.of("required", "dependentRequired", "additionalProperties",
			"unevaluatedProperties");

	/**
	 * Every violation of the schema by {@code node}, in the schema's evaluation order.
	 */
	List<Violation> violations(JsonNode node) {
		List<Error> errors = schema.validate(node);
		if (errors.isEmpty()) {
			return List.of();
		}
		List<Violation> out = new ArrayList<>(errors.size());
		for (Error error : errors) {
			out.add(Violation.body(pointer(error), error.getKeyword(), error.getMessage()));
		}
		return out;
	}

	/** The JSON Pointer of the field an error is about. */
	static String pointer(Error error) {
		String pointer = error.getInstanceLocation().toString();
		if (error.getProperty() != null && PROPERTY_KEYWORDS.contains(error.getKeyword())) {
			return JsonPointer.compile(pointer).appendProperty(error.getProperty()).toString();
		}
		return pointer;
	}

	@Override
	public String toString() {
		return name;
	}

}
