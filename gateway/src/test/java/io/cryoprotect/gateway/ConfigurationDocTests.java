package io.cryoprotect.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cryoprotect.gateway.support.ApplicationYml;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration.md against the configuration metadata that
 * spring-boot-configuration-processor generates from the {@code gateway.*} properties
 * classes: the page lists every property and no other, with the metadata's type; a
 * default written as a literal is the value a gateway started without configuration has
 * (application.yml bound with no environment, so placeholder defaults and the classes'
 * own defaults both count), and a default in words means the value is unset or empty; the
 * env column names exactly the variables of application.yml's placeholders, each on its
 * property.
 */
class ConfigurationDocTests {

	private static final Path DOC = Path.of("..", "docs", "configuration.md");

	/** {@code | `name` | `type` | default | env | what |} */
	private static final Pattern ROW = Pattern
		.compile("^\\| `(gateway\\.[^`]+)` \\| `([^`]+)` \\|(.*?)\\|(.*?)\\|(.*?)\\|$", Pattern.MULTILINE);

	private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z0-9_]+):");

	private static final Pattern PACKAGE = Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.)+");

	private static final Map<String, JsonNode> metadata = new TreeMap<>();

	private static final Map<String, Row> documented = new TreeMap<>();

	private record Row(String type, String defaultValue, String env, String what) {
	}

	@BeforeAll
	static void read() throws IOException {
		JsonMapper json = JsonMapper.builder().build();
		Enumeration<URL> files = ConfigurationDocTests.class.getClassLoader()
			.getResources("META-INF/spring-configuration-metadata.json");
		while (files.hasMoreElements()) {
			try (InputStream in = files.nextElement().openStream()) {
				for (JsonNode property : json.readTree(in).path("properties")) {
					if (property.path("name").asString().startsWith("gateway.")) {
						metadata.put(property.path("name").asString(), property);
					}
				}
			}
		}
		Matcher row = ROW.matcher(Files.readString(DOC));
		while (row.find()) {
			Row previous = documented.put(row.group(1),
					new Row(row.group(2), row.group(3).strip(), row.group(4).strip(), row.group(5).strip()));
			assertThat(previous).as("%s listed twice", row.group(1)).isNull();
		}
	}

	@Test
	void everyPropertyIsDocumentedAndNoOther() {
		assertThat(metadata).as("the generated metadata of the gateway.* properties").hasSizeGreaterThan(30);
		assertThat(documented.keySet()).as("properties in docs/configuration.md")
			.containsExactlyInAnyOrderElementsOf(metadata.keySet());
	}

	@Test
	void typesAndDescriptionsAreTheCodes() {
		documented.forEach((name, row) -> {
			JsonNode property = metadata.get(name);
			assertThat(property).as(name).isNotNull();
			assertThat(row.type()).as(name)
				.isEqualTo(PACKAGE.matcher(property.path("type").asString()).replaceAll("").replace('$', '.'));
			assertThat(property.path("description").asString()).as("%s: javadoc of its properties class", name)
				.isNotBlank();
			assertThat(row.what()).as(name).isNotBlank();
		});
	}

	@Test
	void defaultsAreTheValuesOfAnUnconfiguredGateway() {
		documented.forEach((name, row) -> {
			Object actual = value(name, Map.of());
			if (row.defaultValue().startsWith("`")) {
				String literal = row.defaultValue().substring(1, row.defaultValue().indexOf('`', 1));
				assertThat(value(name, overrides(name, literal))).as("%s: documented default `%s`", name, literal)
					.isEqualTo(actual);
			}
			else {
				assertThat(isUnset(actual))
					.as("%s is documented as unset (%s) but defaults to %s", name, row.defaultValue(), actual)
					.isTrue();
			}
		});
	}

	@Test
	void environmentVariablesAreApplicationYmlsPlaceholders() {
		Map<String, String> placeholders = new TreeMap<>();
		EnumerablePropertySource<?> yml = (EnumerablePropertySource<?>) ApplicationYml.raw();
		for (String key : yml.getPropertyNames()) {
			Matcher placeholder = PLACEHOLDER.matcher(String.valueOf(yml.getProperty(key)));
			if (key.startsWith("gateway.") && placeholder.find()) {
				placeholders.put(placeholder.group(1), key);
			}
		}
		Map<String, String> documentedVariables = new TreeMap<>();
		documented.forEach((name, row) -> {
			if (!row.env().isBlank()) {
				documentedVariables.put(row.env().replace("`", ""), name);
			}
		});
		assertThat(documentedVariables.keySet()).containsExactlyInAnyOrderElementsOf(placeholders.keySet());
		documentedVariables.forEach((variable, name) -> assertThat(placeholders.get(variable)).as(variable)
			.matches(key -> key.equals(name) || key.startsWith(name + "."), "is " + name + " or below it"));
	}

	/**
	 * The doc's literal as properties: {@code a=1, b=2} for a map, else the literal
	 * itself.
	 */
	private static Map<String, Object> overrides(String name, String literal) {
		Map<String, Object> overrides = new HashMap<>();
		if (metadata.get(name).path("type").asString().startsWith("java.util.Map")) {
			for (String entry : literal.split(", ")) {
				String[] keyValue = entry.split("=", 2);
				overrides.put(name + "." + keyValue[0], keyValue[1]);
			}
		}
		else {
			overrides.put(name, literal);
		}
		return overrides;
	}

	/**
	 * The property's bound value: its properties class bound and walked, or the
	 * metadata's default.
	 */
	private static Object value(String name, Map<String, Object> overrides) {
		Binder binder = ApplicationYml.binder(overrides);
		JsonNode property = metadata.get(name);
		if (!property.has("sourceType")) {
			Class<?> type = ClassUtils.resolveClassName(property.path("type").asString(), null);
			Object fallback = ApplicationConversionService.getSharedInstance()
				.convert(property.path("defaultValue").asString(), type);
			Object bound = binder.bind(name, Bindable.of(type)).orElse(null);
			return (bound != null) ? bound : fallback;
		}
		Class<?> root = ClassUtils.resolveClassName(property.path("sourceType").asString(), null);
		while (!root.isAnnotationPresent(ConfigurationProperties.class)) {
			root = root.getEnclosingClass();
		}
		String prefix = root.getAnnotation(ConfigurationProperties.class).value();
		Object value = bindOrCreate(binder, prefix, root);
		for (String segment : name.substring(prefix.length() + 1).split("\\.")) {
			value = get(value, segment);
		}
		return value;
	}

	private static <T> T bindOrCreate(Binder binder, String prefix, Class<T> type) {
		return binder.bindOrCreate(prefix, type);
	}

	/** The record component of {@code target} named {@code kebab} in kebab case. */
	private static Object get(Object target, String kebab) {
		StringBuilder camel = new StringBuilder();
		for (String part : kebab.split("-")) {
			camel.append(camel.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
		}
		try {
			return target.getClass().getMethod(camel.toString()).invoke(target);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(target.getClass().getName() + " has no accessor for '" + kebab + "'", ex);
		}
	}

	private static boolean isUnset(Object value) {
		return value == null || (value instanceof String text && text.isBlank())
				|| (value instanceof Collection<?> collection && collection.isEmpty())
				|| (value instanceof Map<?, ?> map && map.isEmpty());
	}

}
