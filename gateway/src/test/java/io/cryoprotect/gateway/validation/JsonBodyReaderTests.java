package io.cryoprotect.gateway.validation;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed and hostile JSON (docs/reliability.md H3, H4) becomes one violation with the
 * parse position, never an exception, and never a tree that would mislead the schema.
 */
class JsonBodyReaderTests {

	private final JsonBodyReader reader = new JsonBodyReader(64, 100, 10_000, 256, 256 * 1024);

	@Test
	void wellFormedDocumentIsParsed() {
		JsonBodyReader.Parsed parsed = read("{\"a\": [1, 2.5, \"x\", null, true]}\n");
		assertThat(parsed.problem()).isNull();
		assertThat(parsed.node().get("a").size()).isEqualTo(5);
	}

	@Test
	void truncatedDocumentNamesWhereItEnded() {
		assertProblem("{\"molecule_data\": \"CCO\", \"input_format\": \"smi",
				"'' json: Unexpected end-of-input in VALUE_STRING at line 1, column 46");
		assertProblem("{\"a\": 1,",
				"'' json: Unexpected end-of-input within/between Object entries at line 1, column 9");
	}

	@Test
	void deepNestingStopsAtTheDepthLimitWithoutRecursing() {
		assertProblem("[".repeat(10_000),
				"'' json: Document nesting depth (65) exceeds the maximum allowed (64) at line 1, column 66");
		assertProblem("{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000),
				"'' json: Document nesting depth (65) exceeds the maximum allowed (64) at line 1, column 322");
	}

	@Test
	void duplicateKeyIsRejected() {
		assertProblem("{\"cid\": 1, \"cid\": 2}", "'' json: Duplicate Object property \"cid\" at line 1, column 17");
	}

	@Test
	void hugeNumberIsRejectedByLengthAndOverflowingExponentByValue() {
		assertProblem("{\"cid\": " + "9".repeat(5_000) + "}",
				"'' json: Number value length (5000) exceeds the maximum allowed (100) at line 1, column 5009");
		assertProblem("{\"components\": [{\"concentration\": 1e999999}]}",
				"'/components/0/concentration' json: Number is too large to represent");
		assertProblem("{\"x\": -1e400}", "'/x' json: Number is too large to represent");
	}

	@Test
	void pointerToTheOverflowEscapesSlashAndTilde() {
		assertProblem("{\"a/b\": [0, {\"~c\": 1, \"d\": 1e999}]}",
				"'/a~1b/1/d' json: Number is too large to represent");
		assertProblem("{\"ok\": 1, \"~/\": {\"\": 2e999}}", "'/~0~1/' json: Number is too large to represent");
	}

	@Test
	void hugeStringAndHugeNameAreRejected() {
		assertProblem("{\"name\": \"" + "x".repeat(20_000) + "\"}",
				"'' json: String value length (10587) exceeds the maximum allowed (10000) at line 1, column 10598");
		assertProblem("{\"" + "k".repeat(5_000) + "\": 1}",
				"'' json: Name length (512) exceeds the maximum allowed (256) at line 1, column 520");
	}

	@Test
	void invalidUtf8IsRejected() {
		byte[] body = { '{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}' };
		assertThat(reader.read(body).problem())
			.hasToString("'' json: Invalid UTF-8 middle byte 0x28 at line 1, column 9");
	}

	@Test
	void emptyBodyAndTrailingDataAreRejected() {
		assertProblem("", "'' json: The body is empty; a JSON document is required");
		assertProblem("  \n ", "'' json: The body is empty; a JSON document is required");
		assertProblem("{\"a\": 1} {\"b\": 2}", "'' json: Unexpected data after the JSON document at line 1, column 10");
		assertProblem("{\"a\": 1}}",
				"'' json: Unexpected close marker '}': no open Object to close at line 1, column 9");
	}

	@Test
	void nonStandardJsonIsRejected() {
		assertProblem("{'a': 1}",
				"'' json: Unexpected character (''' (code 39)): was expecting double-quote to start property name at line 1, column 2");
		assertProblem("{\"a\": NaN}",
				"'' json: Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow at line 1, column 10");
		assertProblem("{\"a\": 1, /* c */ \"b\": 2}",
				"'' json: Unexpected character ('/' (code 47)): maybe a (non-standard) comment? (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser) at line 1, column 10");
	}

	private JsonBodyReader.Parsed read(String body) {
		return reader.read(body.getBytes(StandardCharsets.UTF_8));
	}

	private void assertProblem(String body, String expected) {
		JsonBodyReader.Parsed parsed = read(body);
		assertThat(parsed.node()).isNull();
		assertThat(parsed.problem()).hasToString(expected);
	}

}
