package io.cryoprotect.gateway.validation;

import java.util.function.Supplier;

import com.networknt.schema.ExecutionContext;
import com.networknt.schema.MessageSourceError;
import com.networknt.schema.SchemaContext;
import com.networknt.schema.format.Format;
import com.networknt.schema.keyword.FormatValidator;
import com.networknt.schema.path.NodePath;
import io.cryoprotect.gateway.smiles.SmilesSyntax;
import tools.jackson.databind.JsonNode;

/**
 * The {@code "format": "smiles"} keyword: a string must pass {@link SmilesSyntax}, and
 * the violation message carries its reason and position, so a broken molecule never costs
 * an RDKit call and the caller learns what to fix.
 */
final class SmilesFormat implements Format {

	static final String NAME = "smiles";

	@Override
	public String getName() {
		return NAME;
	}

	/** The verdict alone, for callers that do not go through {@link #validate}. */
	@Override
	public boolean matches(ExecutionContext executionContext, String value) {
		return SmilesSyntax.isValid(value);
	}

	@Override
	public void validate(ExecutionContext executionContext, SchemaContext schemaContext, JsonNode node,
			JsonNode rootNode, NodePath instanceLocation, boolean assertionsEnabled,
			Supplier<MessageSourceError.Builder> message, FormatValidator formatValidator) {
		// Like every format, this applies to strings only; "type" reports anything else.
		if (!assertionsEnabled || !node.isString()) {
			return;
		}
		String problem = SmilesSyntax.check(node.asString());
		if (problem != null) {
			executionContext.addError(message.get().messageSupplier(() -> "is not valid SMILES: " + problem).build());
		}
	}

}
