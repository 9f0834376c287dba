package io.cryoprotect.gateway.validation;

import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * The operator-facing validation map ({@code filters-conf/validation.yml}), bound once
 * its schema ({@code filters-conf/validation.schema.json}) checked the file. Modes stay
 * text here, so that a file with a wrong one still binds and all its problems are
 * reported. Field defaults and units are documented in {@code docs/validation.md}.
 */
record ValidationFile(Defaults defaults, JsonLimits json, List<Endpoint> endpoints) {

	/** Values every endpoint inherits unless it sets its own. */
	record Defaults(String mode, Long maxBodyBytes, Long maxResponseBytes, Double responseSampleRate,
			List<String> contentTypes) {
	}

	/** Parser limits for every JSON body the gateway reads. */
	record JsonLimits(Integer maxNestingDepth, Integer maxNumberLength, Integer maxStringLength,
			Integer maxNameLength) {
	}

	/**
	 * One checked endpoint: the route it belongs to, its method and public path pattern,
	 * and what is checked. {@code query} and {@code pathParams} are inline JSON Schemas
	 * of the object of parameters; the schemas are file names in {@code schemas/}.
	 */
	record Endpoint(String id, String route, String method, String path, String mode, String requestSchema,
			String responseSchema, JsonNode query, JsonNode pathParams, List<String> contentTypes, Long maxBodyBytes,
			Long maxResponseBytes, Double responseSampleRate) {
	}

}
