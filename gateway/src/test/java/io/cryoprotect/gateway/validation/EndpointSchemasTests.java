package io.cryoprotect.gateway.validation;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every shipped schema of filters-conf/, with a valid body and invalid ones, asserting
 * the exact list of violations (JSON Pointer, keyword, message) a client gets back.
 */
class EndpointSchemasTests {

	private static ValidationConfig config;

	@BeforeAll
	static void loadShippedConfig() {
		config = ShippedConfig.load();
	}

	@Test
	void moleculeImportTakesAPositivePubChemCidAndNothingElse() {
		assertBody("molecule-import", "{\"cid\": 962}");
		assertBody("molecule-import", "{\"cid\": 0, \"smiles\": \"O\"}",
				"'/cid' minimum: must have a minimum value of 1",
				"'/smiles' additionalProperties: property 'smiles' is not defined in the schema and the schema does not allow additional properties");
		assertBody("molecule-import", "{}", "'/cid' required: required property 'cid' not found");
		assertBody("molecule-import", "{\"cid\": \"962\"}", "'/cid' type: string found, integer expected");
		assertBody("molecule-import", "{\"cid\": 9.5}", "'/cid' type: number found, integer expected");
	}

	@Test
	void mixtureCreateChecksNameComponentsConcentrationsAndUnits() {
		assertBody("mixture-create",
				"""
						{"name": "Glycerol 10%", "description": "slow-cooling base",
						 "components": [
						   {"molecule_id": "3f1c9a52-7d4e-4b5e-9a3c-1234567890ab", "concentration": 10, "concentration_unit": "%v/v"},
						   {"molecule_id": "0b7e3c1a-2f4d-4e8a-9c6b-abcdefabcdef", "concentration": 0, "concentration_unit": "µM"}]}
						""");
		assertBody("mixture-create", """
				{"name": "", "description": 7,
				 "components": [
				   {"molecule_id": "x", "concentration": -1, "concentration_unit": "kg"},
				   {"molecule_id": "3f1c9a52-7d4e-4b5e-9a3c-1234567890ab"}],
				 "extra": 1}
				""", "'/name' minLength: must be at least 1 characters long",
				"'/description' type: integer found, string expected",
				"'/components/0/molecule_id' format: does not match the uuid pattern must be a valid RFC 4122 UUID",
				"'/components/0/concentration' minimum: must have a minimum value of 0",
				"'/components/0/concentration_unit' enum: does not have a value in the enumeration [\"mg/mL\", \"%w/v\", \"%v/v\", \"mM\", \"µM\"]",
				"'/components/1/concentration' required: required property 'concentration' not found",
				"'/components/1/concentration_unit' required: required property 'concentration_unit' not found",
				"'/extra' additionalProperties: property 'extra' is not defined in the schema and the schema does not allow additional properties");
		assertBody("mixture-create", "{\"name\": \"" + "n".repeat(101) + "\", \"components\": []}",
				"'/name' maxLength: must be at most 100 characters long",
				"'/components' minItems: must have at least 1 items but found 0");
		assertBody("mixture-create", "[]", "'' type: array found, object expected");
	}

	@Test
	void loginNeedsAnEmailAndAPassword() {
		assertBody("auth-login", "{\"email\": \"a@b.org\", \"password\": \"secret\"}");
		// RFC 5321 takes any domain; whether it exists is the upstream's question, not
		// the gateway's.
		assertBody("auth-login", "{\"email\": \"a@b.c\", \"password\": \"secret\"}");
		assertBody("auth-login", "{\"email\": \"not-an-email\", \"password\": \"\"}",
				"'/email' format: does not match the email pattern must be a valid RFC 5321 Mailbox",
				"'/password' minLength: must be at least 1 characters long");
		assertBody("auth-login", "{}", "'/email' required: required property 'email' not found",
				"'/password' required: required property 'password' not found");
	}

	@Test
	void registerNeedsEmailAndPasswordAndBoundsOtherFields() {
		assertBody("auth-register", "{\"email\": \"a@b.org\", \"password\": \"pw\", \"name\": \"Ada\"}");
		assertBody("auth-register",
				"{\"email\": \"a@b.org\", \"password\": \"pw\", \"profile\": {\"x\": 1}, \"name\": \""
						+ "n".repeat(1001) + "\"}",
				"'/profile' type: object found, [string, number, boolean, null] expected",
				"'/name' maxLength: must be at most 1000 characters long");
		assertBody("auth-register", "{\"email\": \"a@b.org\"}",
				"'/password' required: required property 'password' not found");
	}

	@Test
	void refreshTakesAnOptionalRefreshToken() {
		assertBody("auth-refresh", "{}");
		assertBody("auth-refresh", "{\"refresh_token\": \"r1\"}");
		assertBody("auth-refresh", "{\"refresh_token\": 5, \"x\": 1}",
				"'/refresh_token' type: integer found, string expected",
				"'/x' additionalProperties: property 'x' is not defined in the schema and the schema does not allow additional properties");
		assertBody("auth-refresh", "{\"a/b~c\": 1}",
				"'/a~1b~0c' additionalProperties: property 'a/b~c' is not defined in the schema and the schema does not allow additional properties");
	}

	@Test
	void calculatePropertiesChecksSmilesUnlessAnotherFormatIsNamed() {
		assertBody("rdkit-calculate-properties", "{\"molecule_data\": \"OCC(O)CO\", \"input_format\": \"smiles\"}");
		assertBody("rdkit-calculate-properties", "{\"molecule_data\": \"C1CC\", \"input_format\": \"mol\"}");
		assertBody("rdkit-calculate-properties", "{\"molecule_data\": \"C1CC\"}",
				"'/molecule_data' format: is not valid SMILES: unclosed ring bond 1 opened at position 1");
		assertBody("rdkit-calculate-properties", "{\"molecule_data\": \"CC(=O\", \"input_format\": \"smiles\"}",
				"'/molecule_data' format: is not valid SMILES: unclosed branch '(' opened at position 2");
		assertBody("rdkit-calculate-properties", "{\"molecule_data\": \"\", \"input_format\": \"inchi\"}",
				"'/molecule_data' minLength: must be at least 1 characters long",
				"'/input_format' enum: does not have a value in the enumeration [\"smiles\", \"mol\", \"sdf\"]");
		assertBody("rdkit-calculate-properties", "{\"input_format\": \"mol\"}",
				"'/molecule_data' required: required property 'molecule_data' not found");
	}

	@Test
	void similarityChecksBothMoleculesAndTheFingerprintType() {
		assertBody("rdkit-similarity",
				"{\"mol1_data\": \"CCO\", \"mol2_data\": \"c1ccccc1\", \"fingerprint_type\": \"morgan\"}");
		assertBody("rdkit-similarity",
				"{\"mol1_data\": \"CCO\", \"mol2_data\": \"c1ccccc1)\", \"fingerprint_type\": \"ecfp\"}",
				"'/fingerprint_type' enum: does not have a value in the enumeration [\"morgan\", \"maccs\", \"topological\"]",
				"'/mol2_data' format: is not valid SMILES: unmatched ')' at position 8");
		assertBody("rdkit-similarity", "{\"mol1_data\": \"C1CC\", \"mol1_format\": \"sdf\", \"mol2_data\": \"CCO\"}");
	}

	@Test
	void substructureSearchChecksTheTargetAndASmilesQueryButNotSmarts() {
		assertBody("rdkit-substructure-search",
				"{\"query_mol_data\": \"[#6]~[#8]\", \"target_mol_data\": \"OCC(O)CO\"}");
		assertBody("rdkit-substructure-search", "{\"query_mol_data\": \"[#6]~[#8]\", \"target_mol_data\": \"OCC(O\"}",
				"'/target_mol_data' format: is not valid SMILES: unclosed branch '(' opened at position 3");
		assertBody("rdkit-substructure-search",
				"{\"query_mol_data\": \"C1C\", \"query_format\": \"smiles\", \"target_mol_data\": \"CCO\"}",
				"'/query_mol_data' format: is not valid SMILES: unclosed ring bond 1 opened at position 1");
	}

	@Test
	void visualizationBoundsWidthHeightAndHighlightedAtoms() {
		assertBody("rdkit-visualization",
				"{\"molecule_data\": \"CCO\", \"input_format\": \"smiles\", \"width\": 300, \"height\": 200, \"highlight_atoms\": [0, 2]}");
		assertBody("rdkit-visualization",
				"{\"molecule_data\": \"CCO\", \"width\": 10, \"height\": 5000, \"highlight_atoms\": [0, -1, \"2\"]}",
				"'/width' minimum: must have a minimum value of 50",
				"'/height' maximum: must have a maximum value of 2000",
				"'/highlight_atoms/1' minimum: must have a minimum value of 0",
				"'/highlight_atoms/2' type: string found, integer expected");
	}

	@Test
	void convexCallsNeedAModuleFunctionPathObjectArgsAndJsonFormat() {
		for (String endpoint : new String[] { "convex-query", "convex-mutation", "convex-action" }) {
			assertBody(endpoint,
					"{\"path\": \"molecules/query:searchMolecules\", \"args\": {\"filter\": {}}, \"format\": \"json\"}");
			assertBody(endpoint, "{\"path\": \"molecules:listMolecules\"}");
			assertBody(endpoint, "{\"path\": \"molecules.listMolecules\", \"args\": \"x\", \"format\": \"csv\"}",
					"'/path' pattern: does not match the regex pattern ^[A-Za-z0-9_][A-Za-z0-9_./-]*:[A-Za-z_][A-Za-z0-9_]*$",
					"'/args' type: string found, object expected",
					"'/format' enum: does not have a value in the enumeration [\"json\"]");
			assertBody(endpoint, "{\"args\": {}}", "'/path' required: required property 'path' not found");
		}
	}

	@Test
	void convexResultIsEitherSuccessWithValueOrErrorWithMessage() {
		assertResponse("convex-query", "{\"status\": \"success\", \"value\": [1, 2]}");
		assertResponse("convex-query", "{\"status\": \"error\", \"errorMessage\": \"no such function\"}");
		assertResponse("convex-query", "{\"status\": \"success\"}",
				"'' oneOf: must be valid to one and only one schema, but 0 are valid",
				"'/value' required: required property 'value' not found",
				"'/status' const: must be the constant value 'error'",
				"'/errorMessage' required: required property 'errorMessage' not found");
	}

	@Test
	void rdkitResultsAreWrappedInItsSuccessEnvelope() {
		assertResponse("rdkit-calculate-properties",
				"""
						{"status": "success", "data": {"hydrogen_bonding": {"donors": 3, "acceptors": 3, "total": 6},
						 "logp": -1.76, "tpsa": 60.69, "molecular_properties": {"molecular_weight": 92.094, "heavy_atom_count": 6},
						 "functional_groups": {"hydroxyl": 3}, "permeability": {"rule_of_5_violations": 0},
						 "smiles": "OCC(O)CO", "inchi": "InChI=1S/C3H8O3", "inchi_key": "PEDCQBHIVMGVHV-UHFFFAOYSA-N"}}
						""");
		assertResponse("rdkit-calculate-properties", "{\"logp\": -1.76, \"tpsa\": 60.69, \"smiles\": \"OCC(O)CO\"}",
				"'/status' required: required property 'status' not found",
				"'/data' required: required property 'data' not found");
		assertResponse("rdkit-similarity",
				"{\"status\": \"success\", \"data\": {\"tanimoto\": 0.42, \"dice\": 0.59, \"fingerprint_type\": \"maccs\"}}");
		assertResponse("rdkit-similarity",
				"{\"status\": \"success\", \"data\": {\"tanimoto\": 1.5, \"dice\": 0.59, \"fingerprint_type\": \"ecfp\"}}",
				"'/data/tanimoto' maximum: must have a maximum value of 1",
				"'/data/fingerprint_type' enum: does not have a value in the enumeration [\"morgan\", \"maccs\", \"topological\"]");
		assertResponse("rdkit-substructure-search",
				"{\"status\": \"success\", \"data\": {\"match\": true, \"match_count\": 1, \"matches\": [[0, 1]], \"visualization\": \"<svg/>\"}}");
		assertResponse("rdkit-substructure-search",
				"{\"status\": \"success\", \"data\": {\"match\": \"yes\", \"matches\": []}}",
				"'/data/match' type: string found, boolean expected",
				"'/data/match_count' required: required property 'match_count' not found");
		assertResponse("rdkit-visualization",
				"{\"status\": \"success\", \"data\": {\"svg\": \"<svg/>\", \"width\": 400, \"height\": 300}}");
		assertResponse("rdkit-visualization", "{\"status\": \"error\", \"message\": \"boom\"}",
				"'/status' const: must be the constant value 'success'",
				"'/data' required: required property 'data' not found");
	}

	@Test
	void flaskEnvelopeNeedsAKnownStatus() {
		assertResponse("mixture-create", "{\"status\": \"success\", \"code\": 201, \"data\": {\"id\": \"m1\"}}");
		assertResponse("mixture-create", "{\"status\": \"ok\", \"code\": \"200\"}",
				"'/status' enum: does not have a value in the enumeration [\"success\", \"error\"]",
				"'/code' type: string found, integer expected");
	}

	@Test
	void moleculeListBoundsLimitAndOffsetTypedFromTheirText() {
		assertQuery("molecule-list", query("limit", "5", "offset", "10", "q", "aspirin"));
		assertQuery("molecule-list", query("limit", "0", "offset", "x"),
				"query parameter 'limit' minimum: must have a minimum value of 1",
				"query parameter 'offset' type: string found, integer expected");
		assertQuery("molecule-list", query("limit", "501", "offset", "1e3"),
				"query parameter 'limit' maximum: must have a maximum value of 500",
				"query parameter 'offset' type: string found, integer expected");
		assertQuery("molecule-list", query("limit", "1", "limit", "2", "offset", "-1"),
				"query parameter 'limit' type: array found, integer expected",
				"query parameter 'offset' minimum: must have a minimum value of 0");
	}

	@Test
	void mixtureIdInThePathMustBeAUuid() {
		EndpointRule rule = rule("mixture-get");
		assertThat(rule.parameterViolations(new LinkedMultiValueMap<>(),
				Map.of("id", "3f1c9a52-7d4e-4b5e-9a3c-1234567890ab")))
			.isEmpty();
		assertThat(rule.parameterViolations(new LinkedMultiValueMap<>(), Map.of("id", "abc"))).map(Violation::toString)
			.containsExactly(
					"path parameter 'id' format: does not match the uuid pattern must be a valid RFC 4122 UUID");
	}

	@Test
	void everyShippedSchemaFileIsUsedByAnEndpoint() {
		Set<String> used = new HashSet<>();
		for (EndpointRule rule : config.endpoints()) {
			if (rule.requestSchema() != null) {
				used.add(rule.requestSchema().name());
			}
			if (rule.responseSchema() != null) {
				used.add(rule.responseSchema().name());
			}
		}
		used.add("common.json");
		assertThat(used).hasSize(config.schemaCount());
	}

	private static void assertBody(String endpoint, String body, String... expected) {
		assertThat(rule(endpoint).bodyViolations(body.getBytes(StandardCharsets.UTF_8))).as(body)
			.map(Violation::toString)
			.containsExactly(expected);
	}

	private static void assertResponse(String endpoint, String body, String... expected) {
		assertThat(rule(endpoint).responseViolations(body.getBytes(StandardCharsets.UTF_8))).as(body)
			.map(Violation::toString)
			.containsExactly(expected);
	}

	private static void assertQuery(String endpoint, MultiValueMap<String, String> query, String... expected) {
		assertThat(rule(endpoint).parameterViolations(query, Map.of())).as(query.toString())
			.map(Violation::toString)
			.containsExactly(expected);
	}

	private static MultiValueMap<String, String> query(String... namesAndValues) {
		MultiValueMap<String, String> query = new LinkedMultiValueMap<>();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			query.add(namesAndValues[i], namesAndValues[i + 1]);
		}
		return query;
	}

	private static EndpointRule rule(String id) {
		return config.endpoints().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
	}

}
