package io.cryoprotect.gateway.validation;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import com.networknt.schema.AbsoluteIri;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.format.Format;
import com.networknt.schema.format.Formats;
import com.networknt.schema.path.PathType;
import io.cryoprotect.gateway.configfile.ConfigProblem;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonPointer;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Compiles the schema files of one config version (JSON Schema draft 2020-12 plus the
 * {@code smiles} format, with {@code email} checked as RFC 5321 defines it:
 * {@link MailboxFormat}) and the inline parameter schemas of validation.yml. Each schema
 * is checked against the draft's meta-schema, its formats must be known, and every
 * {@code $ref} must resolve among the schema files: nothing is fetched from the network
 * or the disk. Problems are collected, naming file, JSON Pointer and value; nothing is
 * thrown.
 */
final class SchemaCompiler {

	/**
	 * Where schema files live in the $ref namespace:
	 * {@code "$ref": "common.json#/$defs/x"} finds a sibling.
	 */
	private static final String SCHEMAS_BASE = "https://cryoprotect.io/filters-conf/schemas/";

	private static final String VALIDATION_FILE_IRI = "https://cryoprotect.io/filters-conf/validation.yml";

	private static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";

	private static final Dialect DIALECT = Dialect.builder(Dialects.getDraft202012())
		.format(new SmilesFormat())
		.format(new MailboxFormat())
		.build();

	private static final Set<String> FORMATS = knownFormats();

	// Keywords whose values are data, where a "format" member is not the format keyword.
	private static final Set<String> DATA_KEYWORDS = Set.of("const", "enum", "default", "examples");

	private static final JsonMapper STRICT_JSON = JsonMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.build();

	private final SchemaRegistry registry;

	private final Schema metaSchema;

	private final Map<String, String> sources;

	private final List<ConfigProblem> problems;

	/**
	 * @param sources schema file contents by name relative to {@code schemas/}
	 * @param problems where every problem found is added
	 */
	SchemaCompiler(Map<String, String> sources, List<ConfigProblem> problems) {
		this.sources = sources;
		this.problems = problems;
		Map<String, String> byIri = new LinkedHashMap<>();
		sources.forEach((name, text) -> byIri.put(SCHEMAS_BASE + name, text));
		this.registry = SchemaRegistry.withDialect(DIALECT, builder -> builder.schemaRegistryConfig(
				SchemaRegistryConfig.builder().formatAssertionsEnabled(true).pathType(PathType.JSON_POINTER).build())
			.schemas(byIri::get)
			.schemaLoader(loader -> loader.allow(SchemaCompiler::isLocal)));
		this.metaSchema = registry.getSchema(SchemaLocation.of(META_SCHEMA));
	}

	// Meta-schemas come from the library's classpath copies; schema files from this
	// config version.
	private static boolean isLocal(AbsoluteIri iri) {
		String text = iri.toString();
		return text.startsWith(SCHEMAS_BASE) || text.startsWith("https://json-schema.org/draft/2020-12/");
	}

	/** Compiles every schema file; a file with problems is left out of the result. */
	Map<String, SchemaCheck> compileFiles(String displayPrefix) {
		Map<String, SchemaCheck> compiled = new LinkedHashMap<>();
		sources.forEach((name, text) -> {
			String file = displayPrefix + name;
			JsonNode node = parse(file, text);
			if (node == null || !checkAgainstMetaSchema(file, node)) {
				return;
			}
			Schema schema = compile(file, "", () -> registry.getSchema(SchemaLocation.of(SCHEMAS_BASE + name)));
			if (schema != null) {
				compiled.put(name, new SchemaCheck(name, schema));
			}
		});
		return compiled;
	}

	/**
	 * Compiles a schema written inline in validation.yml, e.g. an endpoint's query rules.
	 */
	SchemaCheck compileInline(String file, String key, String pointer, JsonNode node) {
		if (!node.isObject()) {
			problems.add(new ConfigProblem(file, key, node.toString(), "expected a JSON Schema object"));
			return null;
		}
		int before = problems.size();
		for (Error error : metaSchema.validate(node)) {
			problems.add(new ConfigProblem(file, key + error.getInstanceLocation(), valueAt(node, error),
					error.getMessage()));
		}
		checkFormats(file, key, JsonPointer.empty(), node);
		if (problems.size() > before) {
			return null;
		}
		Schema schema = compile(file, key,
				() -> registry.getSchema(SchemaLocation.of(VALIDATION_FILE_IRI + "#" + pointer), node));
		return schema == null ? null : new SchemaCheck(key, schema);
	}

	private JsonNode parse(String file, String text) {
		try {
			JsonNode node = STRICT_JSON.readTree(text);
			if (node == null || node.isMissingNode()) {
				problems.add(new ConfigProblem(file, "", "", "file is empty"));
				return null;
			}
			return node;
		}
		catch (JacksonException ex) {
			String where = ex.getLocation() != null && ex.getLocation().getLineNr() > 0
					? file + ":" + ex.getLocation().getLineNr() : file;
			problems.add(new ConfigProblem(where, "", null,
					"unparseable JSON: " + JsonBodyReader.describe(ex.getOriginalMessage())));
			return null;
		}
	}

	private boolean checkAgainstMetaSchema(String file, JsonNode node) {
		int before = problems.size();
		if (!node.isObject() && !node.isBoolean()) {
			problems.add(new ConfigProblem(file, "", abbreviate(node), "a schema must be a JSON object"));
			return false;
		}
		Set<String> reported = new HashSet<>();
		for (Error error : metaSchema.validate(node)) {
			// The meta-schema often reports one mistake twice (e.g. enum and type for a
			// bad "type"); the first says it best.
			String pointer = error.getInstanceLocation().toString();
			if (reported.add(pointer)) {
				problems.add(new ConfigProblem(file, pointer, valueAt(node, error), error.getMessage()));
			}
		}
		checkFormats(file, "", JsonPointer.empty(), node);
		return problems.size() == before;
	}

	/**
	 * Unknown formats would pass every value unchecked; a typo must be rejected, not
	 * ignored. A problem's key is {@code at} (the config key holding the schema, or
	 * nothing) and the pointer.
	 */
	private void checkFormats(String file, String at, JsonPointer pointer, JsonNode node) {
		if (node.isObject()) {
			for (Map.Entry<String, JsonNode> member : node.properties()) {
				String key = member.getKey();
				JsonNode value = member.getValue();
				JsonPointer path = pointer.appendProperty(key);
				if ("format".equals(key) && value.isString() && !FORMATS.contains(value.asString())) {
					problems.add(new ConfigProblem(file, at + path, value.asString(),
							"unknown format; known: " + FORMATS.stream().sorted().toList()));
				}
				else if (!DATA_KEYWORDS.contains(key)) {
					checkFormats(file, at, path, value);
				}
			}
		}
		else if (node.isArray()) {
			for (int i = 0; i < node.size(); i++) {
				checkFormats(file, at, pointer.appendIndex(i), node.get(i));
			}
		}
	}

	/**
	 * Builds the schema and resolves every reference now, so a broken one fails the load,
	 * not a request.
	 */
	private Schema compile(String file, String key, Supplier<Schema> factory) {
		try {
			Schema schema = factory.get();
			schema.initializeValidators();
			return schema;
		}
		catch (RuntimeException ex) {
			// SchemaException for unresolvable references or dialects, anything else for
			// a schema the library chokes on.
			problems.add(new ConfigProblem(file, key, null, "schema cannot be compiled: " + rootMessage(ex)));
			return null;
		}
	}

	private static String valueAt(JsonNode root, Error error) {
		JsonNode value = root.at(error.getInstanceLocation().toString());
		return value.isMissingNode() ? null : abbreviate(value);
	}

	private static String abbreviate(JsonNode node) {
		return node.isString() ? node.asString() : node.toString();
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
		return root == ex ? message : root.getClass().getSimpleName() + ": " + message;
	}

	private static Set<String> knownFormats() {
		Set<String> names = new HashSet<>();
		for (Format format : Formats.DEFAULT) {
			names.add(format.getName());
		}
		names.add(SmilesFormat.NAME);
		return Set.copyOf(names);
	}

}
