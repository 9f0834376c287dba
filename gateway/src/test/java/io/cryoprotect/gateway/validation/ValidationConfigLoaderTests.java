package io.cryoprotect.gateway.validation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.cryoprotect.gateway.configfile.ConfigProblem;
import io.cryoprotect.gateway.configfile.ConfigRejectedException;
import io.cryoprotect.gateway.configfile.PolicyMode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Loading validation.yml and its schemas: the shipped set compiles, and every kind of
 * mistake rejects the whole set with a message naming file, key and value.
 */
class ValidationConfigLoaderTests {

	private static final String YML = ShippedConfig.DIR + "/validation.yml";

	private static final String SCHEMAS = ShippedConfig.DIR + "/schemas/";

	@Test
	void shippedConfigCompilesEveryEndpointAndSchema() {
		ValidationConfig config = ShippedConfig.load();
		assertThat(config.endpoints()).hasSize(14);
		// 13 request and response schemas, and RDKit's 4 response envelopes.
		assertThat(config.schemaCount()).isEqualTo(17);
		assertThat(config).hasToString("14 endpoints {shadow=3, enforce=11}, 17 schemas, json limits "
				+ "{depth 64, number 100, string 100000, name 256, document 262144}");
	}

	@Test
	void onlyValidationYmlAndTopLevelSchemaFilesAreWatched() {
		assertThat(ValidationConfigLoader.isValidationFile("validation.yml")).isTrue();
		assertThat(ValidationConfigLoader.isValidationFile("schemas/mixture-create.json")).isTrue();
		assertThat(ValidationConfigLoader.isValidationFile("schemas/old/mixture-create.json")).isFalse();
		assertThat(ValidationConfigLoader.isValidationFile("schemas/notes.txt")).isFalse();
		assertThat(ValidationConfigLoader.isValidationFile("ratelimit.yml")).isFalse();
	}

	@Test
	void withoutValidationYmlNothingIsValidated() {
		Map<String, String> edits = new HashMap<>();
		edits.put("validation.yml", null);
		ValidationConfig config = ShippedConfig.load(ShippedConfig.with(edits));
		assertThat(config.endpoints()).isEmpty();
	}

	@Test
	void modeOverrideReplacesEveryEndpointsMode() {
		ValidationConfig config = new ValidationConfigLoader(new ValidationMetrics(new SimpleMeterRegistry()),
				PolicyMode.off)
			.load(ShippedConfig.with(Map.of()));
		assertThat(config.endpoints()).allSatisfy(rule -> assertThat(rule.mode()).isEqualTo(PolicyMode.off));
		assertThat(config.toString()).endsWith(", mode override off");
	}

	static Stream<Arguments> invalidSchemaFiles() {
		return Stream.of(arguments("breaking the meta-schema, named by key and value", """
				{"type": "object", "properties": {"cid": {"type": "integr", "minimum": "one"}}}
				""", List.of(SCHEMAS
				+ "molecule-import.json: key '/properties/cid/type' value 'integr': does not have a value in the enumeration [\"array\", \"boolean\", \"integer\", \"null\", \"number\", \"object\", \"string\"]",
				SCHEMAS + "molecule-import.json: key '/properties/cid/minimum' value 'one': string found, number expected")),
				arguments("unparseable, with the line", "{\n  \"type\": \"object\",\n  \"required\": [\"cid\"\n}\n",
						List.of(SCHEMAS
								+ "molecule-import.json:4: unparseable JSON: Unexpected close marker '}': expected ']'")),
				arguments("with a duplicate key", "{\"type\": \"object\", \"type\": \"array\"}",
						List.of(SCHEMAS
								+ "molecule-import.json:1: unparseable JSON: Duplicate Object property \"type\"")),
				arguments("referring to a missing file, at load not at request time", "{\"$ref\": \"nowhere.json\"}",
						List.of(SCHEMAS
								+ "molecule-import.json: schema cannot be compiled: FileNotFoundException: https://cryoprotect.io/filters-conf/schemas/nowhere.json")),
				arguments("referring outside the schema files over http, never fetched",
						"{\"$ref\": \"http://example.com/evil.json\"}",
						List.of(SCHEMAS
								+ "molecule-import.json: schema cannot be compiled: Schema from 'http://example.com/evil.json' is not allowed to be loaded.")),
				arguments("referring to a local file, never read", "{\"$ref\": \"file:///etc/passwd\"}", List.of(SCHEMAS
						+ "molecule-import.json: schema cannot be compiled: Schema from 'file:///etc/passwd' is not allowed to be loaded.")),
				arguments("of another draft", "{\"$schema\": \"http://json-schema.org/draft-07/schema#\"}", List
					.of(SCHEMAS
							+ "molecule-import.json: schema cannot be compiled: Unknown dialect 'http://json-schema.org/draft-07/schema#'")));
	}

	@ParameterizedTest(name = "a schema file {0} is rejected")
	@MethodSource("invalidSchemaFiles")
	void anInvalidSchemaFileIsRejectedWithItsOwnProblemsAndTheEndpointNamingIt(String description, String schema,
			List<String> ownProblems) {
		List<String> expected = new ArrayList<>(ownProblems);
		expected.add(YML
				+ ": key 'endpoints[1].requestSchema' value 'molecule-import.json': the schema file is invalid (see its own problems)");
		assertRejected(Map.of("schemas/molecule-import.json", schema), expected.toArray(String[]::new));
	}

	@Test
	void unknownFormatIsRejectedRatherThanSilentlyIgnored() {
		ConfigRejectedException rejected = reject(Map.of("schemas/molecule-import.json",
				"{\"properties\": {\"cid\": {\"format\": \"smile\"}, \"format\": {\"enum\": [\"json\"]}}}"));
		assertThat(rejected.problems()).map(ConfigProblem::toString)
			.first()
			.asString()
			.startsWith(SCHEMAS
					+ "molecule-import.json: key '/properties/cid/format' value 'smile': unknown format; known: [")
			.contains("smiles", "uuid", "email");
	}

	@Test
	void unknownFormatUnderAnEscapedNameIsNamedByItsPointer() {
		ConfigRejectedException rejected = reject(Map.of("schemas/molecule-import.json",
				"{\"properties\": {\"a/b~c\": {\"prefixItems\": [{\"format\": \"smile\"}]}}}"));
		assertThat(rejected.problems()).map(ConfigProblem::toString)
			.first()
			.asString()
			.startsWith(SCHEMAS
					+ "molecule-import.json: key '/properties/a~1b~0c/prefixItems/0/format' value 'smile': unknown format");
	}

	@Test
	void unknownKeyInValidationYmlIsRejected() {
		assertRejected(edit("requestSchema: molecule-import.json", "requestSchemas: molecule-import.json"), YML
				+ ":40: key 'endpoints[1].requestSchemas' value 'requestSchemas': unknown key; expected one of [contentTypes, id, maxBodyBytes, maxResponseBytes, method, mode, path, pathParams, query, requestSchema, responseSampleRate, responseSchema, route]");
	}

	@Test
	void responseSampleRateOutsideZeroToOneIsRejected() {
		assertRejected(edit("responseSampleRate: 0.1", "responseSampleRate: 1.5"), YML
				+ ": key 'defaults.responseSampleRate' value '1.5': must be between 0.0 and 1.0 (share of responses checked)");
	}

	@Test
	void unknownModeIsRejected() {
		assertRejected(edit("  mode: enforce\n", "  mode: enforced\n"),
				YML + ":12: key 'defaults.mode' value 'enforced': expected one of [off, shadow, enforce]");
	}

	@Test
	void endpointNamingAMissingSchemaFileIsRejected() {
		ConfigRejectedException rejected = reject(
				edit("requestSchema: molecule-import.json", "requestSchema: molecule-imports.json"));
		assertThat(rejected.problems()).map(ConfigProblem::toString)
			.singleElement()
			.asString()
			.startsWith(YML
					+ ": key 'endpoints[1].requestSchema' value 'molecule-imports.json': no such file in schemas/; there are [auth-login.json, ");
	}

	@Test
	void duplicateIdAndDuplicateEndpointAreRejected() {
		assertRejected(edit("  - id: molecule-import\n", "  - id: molecule-list\n"),
				YML + ": key 'endpoints[1].id' value 'molecule-list': duplicate endpoint id");
		assertRejected(
				edit("    method: GET\n    path: /api/v1/molecules\n",
						"    method: POST\n    path: /api/v1/molecules\n"),
				YML + ": key 'endpoints[1].path' value 'flask-api POST /api/v1/molecules': route, method and path already covered by an earlier endpoint");
	}

	@Test
	void badPathsAndMethodsAreRejected() {
		assertRejected(edit("path: /api/v1/mixtures/{id}", "path: /api/v1/mixtures/{id"), YML
				+ ": key 'endpoints[3].path' value '/api/v1/mixtures/{id': invalid path pattern: Expected close capture character after variable name }");
		assertRejected(edit("path: /auth/login", "path: auth/login"), YML
				+ ": key 'endpoints[4].path' value 'auth/login': path is required: the public path pattern, starting with '/'");
		assertRejected(
				edit("    method: GET\n    path: /api/v1/molecules\n",
						"    method: get\n    path: /api/v1/molecules\n"),
				YML + ": key 'endpoints[0].method' value 'get': method is required: one of [DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT]");
	}

	@Test
	void rulesThatCouldNeverApplyAreRejected() {
		assertRejected(
				edit("        id: { type: string, format: uuid }", "        mixtureId: { type: string, format: uuid }"),
				YML + ": key 'endpoints[3].pathParams.properties.mixtureId' value 'mixtureId': path /api/v1/mixtures/{id} has no such variable; it has [id]");
		assertRejected(
				edit("    method: GET\n    path: /api/v1/mixtures/{id}\n",
						"    method: GET\n    path: /api/v1/mixtures/{id}\n    requestSchema: mixture-create.json\n"),
				YML + ": key 'endpoints[3].requestSchema' value 'mixture-create.json': only [PATCH, POST, PUT] requests have a body to check");
		assertRejected(edit("    requestSchema: auth-login.json\n", ""), YML
				+ ": key 'endpoints[4]' value 'auth-login': endpoint checks nothing: give a requestSchema, responseSchema, query or pathParams");
	}

	@Test
	void invalidInlineParameterSchemaIsRejected() {
		assertRejected(
				edit("limit: { type: integer, minimum: 1, maximum: 500 }",
						"limit: { type: integr, minimum: 1, maximum: 500 }"),
				YML + ": key 'endpoints[0].query/properties/limit/type' value 'integr': does not have a value in the enumeration [\"array\", \"boolean\", \"integer\", \"null\", \"number\", \"object\", \"string\"]",
				YML + ": key 'endpoints[0].query/properties/limit/type' value 'integr': string found, array expected");
	}

	@Test
	void badSizesAndContentTypesAreRejected() {
		assertRejected(edit("    maxBodyBytes: 4096\n", "    maxBodyBytes: 0\n"),
				YML + ": key 'endpoints[1].maxBodyBytes' value '0': must be a positive number of bytes");
		assertRejected(edit("  contentTypes: [application/json]", "  contentTypes: [json]"), YML
				+ ": key 'defaults.contentTypes' value 'json': not a media type: Invalid mime type \"json\": does not contain '/'");
	}

	private static Map<String, String> edit(String from, String to) {
		String original = ShippedConfig.files().get("validation.yml");
		assertThat(original).as("the edit must apply").contains(from);
		return Map.of("validation.yml", original.replace(from, to));
	}

	private static void assertRejected(Map<String, String> edits, String... expected) {
		ConfigRejectedException rejected = reject(edits);
		assertThat(rejected.problems()).map(ConfigProblem::toString).hasSize(expected.length);
		for (int i = 0; i < expected.length; i++) {
			assertThat(rejected.problems().get(i).toString()).startsWith(expected[i]);
		}
	}

	private static ConfigRejectedException reject(Map<String, String> edits) {
		return catchThrowableOfType(ConfigRejectedException.class, () -> ShippedConfig.load(ShippedConfig.with(edits)));
	}

}
