package io.cryoprotect.gateway.routing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The published JSON Schema accepts the shipped route files and refuses what the gateway
 * refuses.
 */
class RouteFileSchemaTests {

	private static final Path ROUTES = Path.of("..", "routes");

	private final Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
		.getSchema(read("route-file.schema.json"), InputFormat.JSON);

	@ParameterizedTest
	@ValueSource(strings = { "flask-api.yml", "rdkit.yml", "convex.yml" })
	void shippedRouteFileIsValid(String file) {
		assertThat(errors(read(file))).isEmpty();
	}

	@Test
	void unknownKeyIsInvalid() {
		assertThat(errors(read("rdkit.yml").replace("weight: 100", "wieght: 100"))).isNotEmpty();
	}

	@Test
	void missingOwnerIsInvalid() {
		assertThat(errors(read("rdkit.yml").replace("owner: cryoprotect-chemistry", "team: chemistry"))).isNotEmpty();
	}

	@Test
	void bothRewritesAtOnceAreInvalid() {
		assertThat(errors(read("rdkit.yml").replace("    rewrite:\n", "    rewrite:\n      stripPrefix: 1\n")))
			.isNotEmpty();
	}

	@Test
	void unknownStickyKeyIsInvalid() {
		assertThat(errors(read("flask-api.yml").replace("sticky: user", "sticky: session"))).isNotEmpty();
	}

	@Test
	void corsBlockNeedsOriginsAndKnownKeys() {
		String withCors = read("convex.yml").replace("    upstreams:\n", """
				    cors:
				      allowedOrigins: [https://app.cryoprotect.io]
				      allowedOriginPatterns: ["https://*.netlify.app"]
				      allowedMethods: [POST]
				      allowedHeaders: [Content-Type, Convex-Client]
				      exposedHeaders: [X-Request-Id]
				      allowCredentials: true
				      maxAge: 600
				    upstreams:
				""");
		assertThat(errors(withCors)).isEmpty();
		assertThat(errors(withCors.replace("      allowedOrigins: [https://app.cryoprotect.io]\n", "")
			.replace("      allowedOriginPatterns: [\"https://*.netlify.app\"]\n", ""))).isNotEmpty();
		assertThat(errors(withCors.replace("https://app.cryoprotect.io]", "https://app.cryoprotect.io/path]")))
			.isNotEmpty();
		assertThat(errors(withCors.replace("maxAge: 600", "maxAge: -1"))).isNotEmpty();
		assertThat(errors(withCors.replace("allowCredentials", "allowCookies"))).isNotEmpty();
	}

	@Test
	void unknownErrorShapeIsInvalid() {
		assertThat(errors(read("rdkit.yml"))).isEmpty();
		assertThat(errors(read("rdkit.yml").replace("errors: rdkit", "errors: html"))).isNotEmpty();
	}

	@Test
	void websocketIsABoolean() {
		assertThat(errors(read("convex.yml"))).isEmpty();
		assertThat(read("convex.yml")).contains("websocket: true");
		assertThat(errors(read("convex.yml").replace("websocket: true", "websocket: yes please"))).isNotEmpty();
	}

	private List<Error> errors(String yaml) {
		return schema.validate(yaml, InputFormat.YAML);
	}

	private static String read(String name) {
		try {
			return Files.readString(ROUTES.resolve(name));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
