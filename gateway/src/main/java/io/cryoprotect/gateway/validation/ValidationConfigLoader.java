package io.cryoprotect.gateway.validation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.cryoprotect.gateway.configfile.ConfigFiles;
import io.cryoprotect.gateway.configfile.ConfigSchema;
import io.cryoprotect.gateway.configfile.ConfigValues;
import io.cryoprotect.gateway.configfile.PolicyMode;
import io.cryoprotect.gateway.configfile.RouteReference;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpMethod;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.util.pattern.PatternParseException;

/**
 * Reads validation.yml through its schema ({@code filters-conf/validation.schema.json}),
 * compiles the schemas of {@code schemas/} and the inline parameter schemas, checks what
 * the schema cannot (unique ids and endpoints, path patterns and media types that parse,
 * schema files that exist, rules that could never apply; route ids are checked against
 * {@code routes/} by the reloader) and builds one {@link ValidationConfig}, or rejects
 * the whole set with every problem named by file, key and value. Runs on the watcher
 * thread, never on the event loop.
 */
final class ValidationConfigLoader {

	static final String FILE = "validation.yml";

	static final String SCHEMAS_DIR = "schemas/";

	private static final long DEFAULT_MAX_BODY_BYTES = 256 * 1024;

	private static final long DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024;

	private static final int DEFAULT_MAX_NESTING_DEPTH = 64;

	private static final int DEFAULT_MAX_NUMBER_LENGTH = 100;

	private static final int DEFAULT_MAX_STRING_LENGTH = 100_000;

	private static final int DEFAULT_MAX_NAME_LENGTH = 256;

	private static final ConfigSchema SCHEMA = ConfigSchema.load("validation.schema.json", false);

	private static final Pattern PATH_VARIABLE = Pattern.compile("\\{\\*?([^}:]+)");

	private static final Set<String> BODY_METHODS = Set.of("POST", "PUT", "PATCH");

	private final ValidationMetrics metrics;

	private final PolicyMode modeOverride;

	/**
	 * @param modeOverride replaces every endpoint's mode when not null
	 */
	ValidationConfigLoader(ValidationMetrics metrics, PolicyMode modeOverride) {
		this.metrics = metrics;
		this.modeOverride = modeOverride;
	}

	/**
	 * validation.yml and the JSON files directly in schemas/; other policies' files do
	 * not trigger a reload.
	 */
	static boolean isValidationFile(String relativePath) {
		return FILE.equals(relativePath) || (relativePath.startsWith(SCHEMAS_DIR) && relativePath.endsWith(".json")
				&& relativePath.indexOf('/', SCHEMAS_DIR.length()) < 0);
	}

	ValidationConfig load(ConfigFiles files) {
		files.requireReadable();
		String text = files.contents().get(FILE);
		if (text == null) {
			// Not an error: an installation without filters-conf/ (or before it ships)
			// runs unvalidated.
			return ValidationConfig.NONE;
		}
		ConfigValues values = new ConfigValues(files.displayName(FILE));
		ValidationFile spec = ConfigSchema.bind(SCHEMA.read(values, text), ValidationFile.class);
		Map<String, String> sources = new TreeMap<>();
		files.contents().forEach((name, content) -> {
			if (!FILE.equals(name)) {
				sources.put(name.substring(SCHEMAS_DIR.length()), content);
			}
		});
		SchemaCompiler compiler = new SchemaCompiler(sources, values.problems());
		Map<String, SchemaCheck> schemas = compiler.compileFiles(files.displayName(SCHEMAS_DIR));
		Builder builder = new Builder(values, spec, sources.keySet(), schemas, compiler);
		Map<String, List<EndpointRule>> byRoute = builder.build();
		values.rejectIfAny();
		List<RouteReference> references = new ArrayList<>();
		for (int i = 0; i < spec.endpoints().size(); i++) {
			references
				.add(new RouteReference(values.file(), "endpoints[" + i + "].route", spec.endpoints().get(i).route()));
		}
		return new ValidationConfig(byRoute, schemas.size(), references,
				describe(byRoute, schemas.size(), builder.json));
	}

	private String describe(Map<String, List<EndpointRule>> byRoute, int schemaCount, JsonBodyReader json) {
		Map<PolicyMode, Integer> modes = new EnumMap<>(PolicyMode.class);
		byRoute.values().stream().flatMap(List::stream).forEach(rule -> modes.merge(rule.mode(), 1, Integer::sum));
		int endpoints = modes.values().stream().mapToInt(Integer::intValue).sum();
		return endpoints + " endpoints " + modes + ", " + schemaCount + " schemas, json limits {" + json.limits() + "}"
				+ (modeOverride == null ? "" : ", mode override " + modeOverride);
	}

	/**
	 * Checks one parsed validation.yml and builds its rules, collecting every problem.
	 */
	private final class Builder {

		private final ConfigValues values;

		private final ValidationFile spec;

		private final Set<String> schemaFiles;

		private final Map<String, SchemaCheck> schemas;

		private final SchemaCompiler compiler;

		private final ValidationFile.Defaults defaults;

		private final List<MediaType> defaultContentTypes;

		private final JsonBodyReader json;

		Builder(ConfigValues values, ValidationFile spec, Set<String> schemaFiles, Map<String, SchemaCheck> schemas,
				SchemaCompiler compiler) {
			this.values = values;
			this.spec = spec;
			this.schemaFiles = schemaFiles;
			this.schemas = schemas;
			this.compiler = compiler;
			this.defaults = defaults(spec.defaults());
			this.defaultContentTypes = mediaTypes("defaults.contentTypes", defaults.contentTypes());
			this.json = json(spec.json());
		}

		Map<String, List<EndpointRule>> build() {
			List<ValidationFile.Endpoint> endpoints = spec.endpoints();
			Map<String, List<EndpointRule>> byRoute = new LinkedHashMap<>();
			Set<String> ids = new HashSet<>();
			Set<String> claims = new HashSet<>();
			for (int i = 0; i < endpoints.size(); i++) {
				String key = "endpoints[" + i + "]";
				ValidationFile.Endpoint endpoint = endpoints.get(i);
				if (endpoint.id() != null && !ids.add(endpoint.id())) {
					problem(key + ".id", endpoint.id(), "duplicate endpoint id");
				}
				String claim = endpoint.route() + " " + endpoint.method() + " " + endpoint.path();
				if (!claims.add(claim)) {
					problem(key + ".path", claim, "route, method and path already covered by an earlier endpoint");
				}
				EndpointRule rule = rule(key, i, endpoint);
				if (rule != null) {
					byRoute.computeIfAbsent(rule.route(), r -> new ArrayList<>()).add(rule);
				}
			}
			// Most specific pattern first, so /mixtures/{id} is not shadowed by a
			// /mixtures/** in front of it.
			byRoute.values()
				.forEach(rules -> rules
					.sort(Comparator.comparing(EndpointRule::path, PathPattern.SPECIFICITY_COMPARATOR)));
			byRoute.replaceAll((route, rules) -> List.copyOf(rules));
			return byRoute;
		}

		private EndpointRule rule(String key, int index, ValidationFile.Endpoint endpoint) {
			PathPattern path = path(key + ".path", endpoint.path());
			SchemaCheck requestSchema = schema(key + ".requestSchema", endpoint.requestSchema());
			SchemaCheck responseSchema = schema(key + ".responseSchema", endpoint.responseSchema());
			if (requestSchema != null && !values.reported(key + ".method")
					&& !BODY_METHODS.contains(endpoint.method())) {
				problem(key + ".requestSchema", endpoint.requestSchema(),
						"only " + BODY_METHODS.stream().sorted().toList() + " requests have a body to check");
			}
			ParameterRules query = parameters(key + ".query", "/endpoints/" + index + "/query", "query",
					endpoint.query());
			ParameterRules pathParams = parameters(key + ".pathParams", "/endpoints/" + index + "/pathParams", "path",
					endpoint.pathParams());
			checkPathVariables(key + ".pathParams", endpoint, pathParams);
			if (endpoint.requestSchema() == null && endpoint.responseSchema() == null && endpoint.query() == null
					&& endpoint.pathParams() == null) {
				problem(key, endpoint.id(),
						"endpoint checks nothing: give a requestSchema, responseSchema, query or pathParams");
			}
			if (endpoint.contentTypes() != null && endpoint.requestSchema() == null) {
				problem(key + ".contentTypes", endpoint.contentTypes(), "contentTypes apply to a requestSchema only");
			}
			List<MediaType> contentTypes = endpoint.contentTypes() != null
					? mediaTypes(key + ".contentTypes", endpoint.contentTypes()) : defaultContentTypes;
			if (endpoint.responseSampleRate() != null && endpoint.responseSchema() == null) {
				problem(key + ".responseSampleRate", endpoint.responseSampleRate(), "applies to a responseSchema only");
			}
			if (values.reported(key)) {
				return null;
			}
			PolicyMode mode = modeOverride != null ? modeOverride
					: ConfigValues.constant(PolicyMode.class, endpoint.mode(), PolicyMode.valueOf(defaults.mode()));
			return new EndpointRule(endpoint.id(), endpoint.route(), HttpMethod.valueOf(endpoint.method()), path, mode,
					requestSchema, responseSchema, query, pathParams, contentTypes,
					Objects.requireNonNullElse(endpoint.maxBodyBytes(), defaults.maxBodyBytes()),
					Objects.requireNonNullElse(endpoint.maxResponseBytes(), defaults.maxResponseBytes()),
					Objects.requireNonNullElse(endpoint.responseSampleRate(), defaults.responseSampleRate()), json,
					metrics.forEndpoint(endpoint.route(), endpoint.id(), responseSchema != null));
		}

		private ValidationFile.Defaults defaults(ValidationFile.Defaults given) {
			ValidationFile.Defaults d = given != null ? given
					: new ValidationFile.Defaults(null, null, null, null, null);
			List<String> contentTypes = d.contentTypes() != null ? d.contentTypes()
					: List.of(MediaType.APPLICATION_JSON_VALUE);
			return new ValidationFile.Defaults(
					ConfigValues.constant(PolicyMode.class, d.mode(), PolicyMode.enforce).name(),
					Objects.requireNonNullElse(d.maxBodyBytes(), DEFAULT_MAX_BODY_BYTES),
					Objects.requireNonNullElse(d.maxResponseBytes(), DEFAULT_MAX_RESPONSE_BYTES),
					Objects.requireNonNullElse(d.responseSampleRate(), 1.0), contentTypes);
		}

		private JsonBodyReader json(ValidationFile.JsonLimits given) {
			ValidationFile.JsonLimits j = given != null ? given : new ValidationFile.JsonLimits(null, null, null, null);
			long largestBody = Stream
				.concat(Stream.of(defaults.maxBodyBytes(), defaults.maxResponseBytes()),
						spec.endpoints().stream().flatMap(e -> Stream.of(e.maxBodyBytes(), e.maxResponseBytes())))
				.filter(n -> n != null && n > 0)
				.mapToLong(Long::longValue)
				.max()
				.orElse(DEFAULT_MAX_BODY_BYTES);
			return new JsonBodyReader(Objects.requireNonNullElse(j.maxNestingDepth(), DEFAULT_MAX_NESTING_DEPTH),
					Objects.requireNonNullElse(j.maxNumberLength(), DEFAULT_MAX_NUMBER_LENGTH),
					Objects.requireNonNullElse(j.maxStringLength(), DEFAULT_MAX_STRING_LENGTH),
					Objects.requireNonNullElse(j.maxNameLength(), DEFAULT_MAX_NAME_LENGTH), largestBody);
		}

		/** The path pattern; null when the schema refused it or it does not parse. */
		private PathPattern path(String key, String value) {
			if (values.reported(key)) {
				return null;
			}
			try {
				return PathPatternParser.defaultInstance.parse(value);
			}
			catch (PatternParseException ex) {
				problem(key, value, "invalid path pattern: " + ex.getMessage());
				return null;
			}
		}

		private SchemaCheck schema(String key, String name) {
			if (name == null) {
				return null;
			}
			if (!schemaFiles.contains(name)) {
				problem(key, name, "no such file in " + SCHEMAS_DIR + "; there are " + schemaFiles);
				return null;
			}
			SchemaCheck schema = schemas.get(name);
			if (schema == null) {
				problem(key, name, "the schema file is invalid (see its own problems)");
			}
			return schema;
		}

		private ParameterRules parameters(String key, String pointer, String in, JsonNode node) {
			if (node == null) {
				return null;
			}
			SchemaCheck schema = compiler.compileInline(values.file(), key, pointer, node);
			return schema == null ? null : new ParameterRules(in, schema);
		}

		/**
		 * Rules for a path variable the pattern does not have could never apply: a typo.
		 */
		private void checkPathVariables(String key, ValidationFile.Endpoint endpoint, ParameterRules pathParams) {
			if (pathParams == null || endpoint.path() == null) {
				return;
			}
			Set<String> variables = new HashSet<>();
			Matcher m = PATH_VARIABLE.matcher(endpoint.path());
			while (m.find()) {
				variables.add(m.group(1));
			}
			endpoint.pathParams().path("properties").propertyNames().forEach(name -> {
				if (!variables.contains(name)) {
					problem(key + ".properties." + name, name, "path " + endpoint.path()
							+ " has no such variable; it has " + variables.stream().sorted().toList());
				}
			});
		}

		private List<MediaType> mediaTypes(String key, List<String> names) {
			List<MediaType> types = new ArrayList<>();
			for (String value : names) {
				try {
					types.add(MediaType.parseMediaType(value));
				}
				catch (InvalidMediaTypeException ex) {
					problem(key, value, "not a media type: " + ex.getMessage());
				}
			}
			return List.copyOf(types);
		}

		private void problem(String key, Object value, String reason) {
			values.problem(key, value, reason);
		}

	}

}
