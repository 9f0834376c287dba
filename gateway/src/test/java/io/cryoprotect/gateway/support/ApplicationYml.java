package io.cryoprotect.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

/**
 * The gateway's {@code application.yml} as a binder, with no environment: its
 * placeholders resolve to their defaults. Binding a {@code @ConfigurationProperties}
 * class through it gives the settings a gateway started without any configuration has,
 * whether a default lives in the file or in the class.
 */
public final class ApplicationYml {

	private ApplicationYml() {
	}

	/**
	 * The raw (unresolved) properties of the file, e.g.
	 * {@code ${GATEWAY_ROUTES_DIR:routes}}.
	 */
	public static PropertySource<?> raw() {
		try {
			return new YamlPropertySourceLoader().load("application.yml", new ClassPathResource("application.yml"))
				.get(0);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A binder over the file, with {@code overrides} (property name to value) taking
	 * precedence.
	 */
	public static Binder binder(Map<String, Object> overrides) {
		MutablePropertySources sources = new MutablePropertySources();
		sources.addLast(new MapPropertySource("overrides", overrides));
		sources.addLast(raw());
		return new Binder(ConfigurationPropertySources.from(sources), new PropertySourcesPlaceholdersResolver(sources));
	}

}
