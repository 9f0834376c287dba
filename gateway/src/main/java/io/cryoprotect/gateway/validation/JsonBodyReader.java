package io.cryoprotect.gateway.validation;

import java.util.Map;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonPointer;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses a body that is already in memory and capped, with hard limits on nesting,
 * number, string and name length, strict duplicate-key detection and nothing allowed
 * after the document. Whatever the input, the result is a tree or one violation with the
 * position: never an exception, never deep recursion.
 */
final class JsonBodyReader {

	private static final String KEYWORD = "json";

	private static final int MAX_MESSAGE_LENGTH = 200;

	// Jackson names the setting behind a limit and describes its input source; a reader
	// needs neither.
	private static final Pattern NOISE = Pattern
		.compile(", from `[^`]*`|\\s*\\((start marker|for \\w+ starting) at \\[.*?\\]\\)");

	private final JsonMapper mapper;

	private final String limits;

	JsonBodyReader(int maxNestingDepth, int maxNumberLength, int maxStringLength, int maxNameLength,
			long maxDocumentBytes) {
		StreamReadConstraints constraints = StreamReadConstraints.builder()
			.maxNestingDepth(maxNestingDepth)
			.maxNumberLength(maxNumberLength)
			.maxStringLength(maxStringLength)
			.maxNameLength(maxNameLength)
			.maxDocumentLength(maxDocumentBytes)
			.build();
		JsonFactory factory = JsonFactory.builder()
			.streamReadConstraints(constraints)
			.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
			.build();
		// Trailing data is checked by hand, to say so in words a client understands.
		this.mapper = JsonMapper.builder(factory).disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
		this.limits = "depth " + maxNestingDepth + ", number " + maxNumberLength + ", string " + maxStringLength
				+ ", name " + maxNameLength + ", document " + maxDocumentBytes;
	}

	/** A parsed document, or why the bytes are not one. */
	record Parsed(JsonNode node, Violation problem) {
	}

	Parsed read(byte[] bytes) {
		JsonNode node;
		try (JsonParser parser = mapper.createParser(bytes)) {
			try {
				node = mapper.readTree(parser);
				if (node != null && !node.isMissingNode() && parser.nextToken() != null) {
					return malformed("Unexpected data after the JSON document", parser.currentTokenLocation());
				}
			}
			catch (JacksonException ex) {
				return malformed(ex.getOriginalMessage(),
						ex.getLocation() != null ? ex.getLocation() : parser.currentLocation());
			}
		}
		if (node == null || node.isMissingNode()) {
			return new Parsed(null, Violation.body("", KEYWORD, "The body is empty; a JSON document is required"));
		}
		JsonPointer overflow = firstNonFiniteNumber(node);
		if (overflow != null) {
			return new Parsed(null, Violation.body(overflow.toString(), KEYWORD, "Number is too large to represent"));
		}
		return new Parsed(node, null);
	}

	/** A summary of the limits, for the config's description. */
	String limits() {
		return limits;
	}

	/**
	 * Jackson's message for a parse failure, first line only, without parser internals,
	 * bounded in length.
	 */
	static String describe(String message) {
		String text = message == null ? "Malformed JSON" : NOISE.matcher(firstLine(message)).replaceAll("");
		return text.length() <= MAX_MESSAGE_LENGTH ? text : text.substring(0, MAX_MESSAGE_LENGTH - 3) + "...";
	}

	private static Parsed malformed(String message, TokenStreamLocation location) {
		String text = describe(message);
		if (location != null && location.getLineNr() > 0) {
			text += " at line " + location.getLineNr() + ", column " + location.getColumnNr();
		}
		return new Parsed(null, Violation.body("", KEYWORD, text));
	}

	// A literal like 1e999 parses to Infinity, which compares as valid against "maximum";
	// it must
	// never reach the schema. Recursion is bounded by the nesting limit. The pointer is
	// built only
	// for a number found, on the way back up.
	private static JsonPointer firstNonFiniteNumber(JsonNode node) {
		if (node.isFloatingPointNumber()) {
			return Double.isFinite(node.doubleValue()) ? null : JsonPointer.empty();
		}
		if (node.isArray()) {
			for (int i = 0; i < node.size(); i++) {
				JsonPointer found = firstNonFiniteNumber(node.get(i));
				if (found != null) {
					return JsonPointer.empty().appendIndex(i).append(found);
				}
			}
		}
		else if (node.isObject()) {
			for (Map.Entry<String, JsonNode> field : node.properties()) {
				JsonPointer found = firstNonFiniteNumber(field.getValue());
				if (found != null) {
					return JsonPointer.empty().appendProperty(field.getKey()).append(found);
				}
			}
		}
		return null;
	}

	private static String firstLine(String message) {
		int nl = message.indexOf('\n');
		return nl < 0 ? message : message.substring(0, nl);
	}

}
