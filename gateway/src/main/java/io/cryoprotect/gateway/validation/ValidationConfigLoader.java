package io.cryoprotect.gateway.validation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.cryoprotect.gateway.configfile.ConfigFiles;
import io.cryoprotect.gateway.configfile.ConfigProblem;
import io.cryoprotect.gateway.configfile.ConfigRejectedException;
import io.cryoprotect.gateway.configfile.StrictYamlReader;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpMethod;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.util.pattern.PatternParseException;

/**
 * Reads validation.yml, compiles the schemas of {@code schemas/} and the inline parameter
 * schemas, and builds one {@link ValidationConfig}, or rejects the whole set with every
 * problem named by file, key and value. Runs on the watcher thread, never on the event loop.
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

	private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

	private static final Pattern ROUTE_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

	private static final Pattern PATH_VARIABLE = Pattern.compile("\\{\\*?([^}:]+)");

	private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

	private static final Set<String> BODY_METHODS = Set.of("POST", "PUT", "PATCH");

	private final ValidationMetrics metrics;

	private final ValidationMode modeOverride;

	/** @param modeOverride replaces every endpoint's mode when not null */
	ValidationConfigLoader(ValidationMetrics metrics, ValidationMode modeOverride) {
		this.metrics = metrics;
		this.modeOverride = modeOverride;
	}

	/** validation.yml and the JSON files directly in schemas/; other policies' files do not trigger a reload. */
	static boolean isValidationFile(String relativePath) {
		return FILE.equals(relativePath) || (relativePath.startsWith(SCHEMAS_DIR) && relativePath.endsWith(".json")
				&& relativePath.indexOf('/', SCHEMAS_DIR.length()) < 0);
	}

	ValidationConfig load(ConfigFiles files) {
		files.requireReadable();
		String text = files.contents().get(FILE);
		if (text == null) {
			// Not an error: an installation without filters-conf/ (or before it ships) runs unvalidated.
			return ValidationConfig.NONE;
		}
		String file = files.displayName(FILE);
		ValidationFile spec = StrictYamlReader.read(file, text, ValidationFile.class);
		List<ConfigProblem> problems = new ArrayList<>();
		Map<String, String> sources = new TreeMap<>();
		files.contents().forEach((name, content) -> {
			if (!FILE.equals(name)) {
				sources.put(name.substring(SCHEMAS_DIR.length()), content);
			}
		});
		SchemaCompiler compiler = new SchemaCompiler(sources, problems);
		Map<String, SchemaCheck> schemas = compiler.compileFiles(files.displayName(SCHEMAS_DIR));
		Builder builder = new Builder(file, spec, sources.keySet(), schemas, compiler, problems);
		Map<String, List<EndpointRule>> byRoute = builder.build();
		if (!problems.isEmpty()) {
			throw new ConfigRejectedException(problems);
		}
		return new ValidationConfig(byRoute, schemas.size(), describe(byRoute, schemas.size(), builder.json));
	}

	private String describe(Map<String, List<EndpointRule>> byRoute, int schemaCount, JsonBodyReader json) {
		Map<ValidationMode, Integer> modes = new EnumMap<>(ValidationMode.class);
		byRoute.values().stream().flatMap(List::stream).forEach(rule -> modes.merge(rule.mode(), 1, Integer::sum));
		int endpoints = modes.values().stream().mapToInt(Integer::intValue).sum();
		return endpoints + " endpoints " + modes + ", " + schemaCount + " schemas, json limits {" + json.limits() + "}"
				+ (modeOverride == null ? "" : ", mode override " + modeOverride);
	}

	/** Checks one parsed validation.yml and builds its rules, collecting every problem. */
	private final class Builder {

		private final String file;

		private final ValidationFile spec;

		private final Set<String> schemaFiles;

		private final Map<String, SchemaCheck> schemas;

		private final SchemaCompiler compiler;

		private final List<ConfigProblem> problems;

		private final ValidationFile.Defaults defaults;

		private final List<MediaType> defaultContentTypes;

		private final JsonBodyReader json;

		Builder(String file, ValidationFile spec, Set<String> schemaFiles, Map<String, SchemaCheck> schemas,
				SchemaCompiler compiler, List<ConfigProblem> problems) {
			this.file = file;
			this.spec = spec;
			this.schemaFiles = schemaFiles;
			this.schemas = schemas;
			this.compiler = compiler;
			this.problems = problems;
			this.defaults = defaults(spec.defaults());
			this.defaultContentTypes = mediaTypes("defaults.contentTypes", defaults.contentTypes());
			this.json = json(spec.json());
		}

		Map<String, List<EndpointRule>> build() {
			List<ValidationFile.Endpoint> endpoints = spec.endpoints() == null ? List.of() : spec.endpoints();
			if (endpoints.isEmpty()) {
				problem("endpoints", null, "no endpoints; to validate nothing, delete validation.yml or set every mode to off");
			}
			Map<String, List<EndpointRule>> byRoute = new LinkedHashMap<>();
			Set<String> ids = new HashSet<>();
			Set<String> claims = new HashSet<>();
			for (int i = 0; i < endpoints.size(); i++) {
				String key = "endpoints[" + i + "]";
				ValidationFile.Endpoint endpoint = endpoints.get(i);
				if (endpoint == null) {
					problem(key, null, "endpoint is empty");
					continue;
				}
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
			// Most specific pattern first, so /mixtures/{id} is not shadowed by a /mixtures/** in front of it.
			byRoute.values().forEach(rules -> rules.sort(
					Comparator.comparing(EndpointRule::path, PathPattern.SPECIFICITY_COMPARATOR)));
			byRoute.replaceAll((route, rules) -> List.copyOf(rules));
			return byRoute;
		}

		private EndpointRule rule(String key, int index, ValidationFile.Endpoint endpoint) {
			int before = problems.size();
			String id = require(key + ".id", endpoint.id(), ID,
					"id is required: lower-case letters, digits and '-', at most 64; it becomes a metric tag");
			String route = require(key + ".route", endpoint.route(), ROUTE_ID,
					"route is required: the id of a route in the route files");
			HttpMethod method = method(key + ".method", endpoint.method());
			PathPattern path = path(key + ".path", endpoint.path());
			SchemaCheck requestSchema = schema(key + ".requestSchema", endpoint.requestSchema());
			SchemaCheck responseSchema = schema(key + ".responseSchema", endpoint.responseSchema());
			if (requestSchema != null && method != null && !BODY_METHODS.contains(method.name())) {
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
				problem(key, id, "endpoint checks nothing: give a requestSchema, responseSchema, query or pathParams");
			}
			if (endpoint.contentTypes() != null && endpoint.requestSchema() == null) {
				problem(key + ".contentTypes", endpoint.contentTypes(), "contentTypes apply to a requestSchema only");
			}
			List<MediaType> contentTypes = endpoint.contentTypes() != null
					? mediaTypes(key + ".contentTypes", endpoint.contentTypes()) : defaultContentTypes;
			long maxBodyBytes = positive(key + ".maxBodyBytes", endpoint.maxBodyBytes(), defaults.maxBodyBytes());
			long maxResponseBytes = positive(key + ".maxResponseBytes", endpoint.maxResponseBytes(),
					defaults.maxResponseBytes());
			double responseSampleRate = share(key + ".responseSampleRate", endpoint.responseSampleRate(),
					defaults.responseSampleRate());
			if (endpoint.responseSampleRate() != null && endpoint.responseSchema() == null) {
				problem(key + ".responseSampleRate", endpoint.responseSampleRate(), "applies to a responseSchema only");
			}
			if (problems.size() > before) {
				return null;
			}
			ValidationMode mode = modeOverride != null ? modeOverride
					: endpoint.mode() != null ? endpoint.mode() : defaults.mode();
			return new EndpointRule(id, route, method, path, mode, requestSchema, responseSchema, query, pathParams,
					contentTypes, maxBodyBytes, maxResponseBytes, responseSampleRate, json,
					metrics.forEndpoint(route, id, responseSchema != null));
		}

		private ValidationFile.Defaults defaults(ValidationFile.Defaults given) {
			ValidationFile.Defaults d = given != null ? given : new ValidationFile.Defaults(null, null, null, null, null);
			List<String> contentTypes = d.contentTypes() != null ? d.contentTypes() : List.of(MediaType.APPLICATION_JSON_VALUE);
			return new ValidationFile.Defaults(d.mode() != null ? d.mode() : ValidationMode.enforce,
					positive("defaults.maxBodyBytes", d.maxBodyBytes(), DEFAULT_MAX_BODY_BYTES),
					positive("defaults.maxResponseBytes", d.maxResponseBytes(), DEFAULT_MAX_RESPONSE_BYTES),
					share("defaults.responseSampleRate", d.responseSampleRate(), 1.0), contentTypes);
		}

		private JsonBodyReader json(ValidationFile.JsonLimits given) {
			ValidationFile.JsonLimits j = given != null ? given : new ValidationFile.JsonLimits(null, null, null, null);
			long largestBody = Stream.concat(Stream.of(defaults.maxBodyBytes(), defaults.maxResponseBytes()),
					spec.endpoints() == null ? Stream.empty() : spec.endpoints().stream()
						.filter(e -> e != null)
						.flatMap(e -> Stream.of(e.maxBodyBytes(), e.maxResponseBytes())))
				.filter(n -> n != null && n > 0)
				.mapToLong(Long::longValue)
				.max()
				.orElse(DEFAULT_MAX_BODY_BYTES);
			return new JsonBodyReader(intLimit("json.maxNestingDepth", j.maxNestingDepth(), DEFAULT_MAX_NESTING_DEPTH),
					intLimit("json.maxNumberLength", j.maxNumberLength(), DEFAULT_MAX_NUMBER_LENGTH),
					intLimit("json.maxStringLength", j.maxStringLength(), DEFAULT_MAX_STRING_LENGTH),
					intLimit("json.maxNameLength", j.maxNameLength(), DEFAULT_MAX_NAME_LENGTH), largestBody);
		}

		private String require(String key, String value, Pattern pattern, String reason) {
			if (value == null || !pattern.matcher(value).matches()) {
				problem(key, value, reason);
				return null;
			}
			return value;
		}

		private HttpMethod method(String key, String value) {
			if (value == null || !METHODS.contains(value)) {
				problem(key, value, "method is required: one of " + METHODS.stream().sorted().toList());
				return null;
			}
			return HttpMethod.valueOf(value);
		}

		private PathPattern path(String key, String value) {
			if (value == null || !value.startsWith("/")) {
				problem(key, value, "path is required: the public path pattern, starting with '/'");
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
			SchemaCheck schema = compiler.compileInline(file, key, pointer, node);
			return schema == null ? null : new ParameterRules(in, schema);
		}

		/** Rules for a path variable the pattern does not have could never apply: a typo. */
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
					problem(key + ".properties." + name, name,
							"path " + endpoint.path() + " has no such variable; it has " + variables.stream().sorted().toList());
				}
			});
		}

		private List<MediaType> mediaTypes(String key, List<String> values) {
			if (values.isEmpty()) {
				problem(key, "[]", "at least one content type is required");
			}
			List<MediaType> types = new ArrayList<>();
			for (String value : values) {
				try {
					types.add(MediaType.parseMediaType(value));
				}
				catch (InvalidMediaTypeException ex) {
					problem(key, value, "not a media type: " + ex.getMessage());
				}
			}
			return List.copyOf(types);
		}

		private long positive(String key, Long value, long fallback) {
			if (value == null) {
				return fallback;
			}
			if (value <= 0) {
				problem(key, value, "must be a positive number of bytes");
			}
			return value;
		}

		private double share(String key, Double value, double fallback) {
			if (value == null) {
				return fallback;
			}
			if (value < 0 || value > 1) {
				problem(key, value, "must be between 0.0 and 1.0 (share of responses checked)");
			}
			return value;
		}

		private int intLimit(String key, Integer value, int fallback) {
			if (value == null) {
				return fallback;
			}
			if (value <= 0) {
				problem(key, value, "must be positive");
				return fallback;
			}
			return value;
		}

		private void problem(String key, Object value, String reason) {
			problems.add(new ConfigProblem(file, key, value == null ? null : String.valueOf(value), reason));
		}

	}

}
