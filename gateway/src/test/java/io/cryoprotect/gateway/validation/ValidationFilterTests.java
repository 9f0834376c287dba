package io.cryoprotect.gateway.validation;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import io.cryoprotect.gateway.configfile.ConfigFiles;
import io.cryoprotect.gateway.errors.ProblemException;
import io.cryoprotect.gateway.errors.ProblemType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * {@link ValidationFilter} over a {@link MockServerWebExchange}, as Spring Cloud Gateway
 * tests its filters: what it answers (the problem's status, detail and errors), whether
 * the chain was called, the body the chain saw, and the outcome it counted.
 */
class ValidationFilterTests {

	private static final String VALIDATION_YML = """
			defaults:
			  maxBodyBytes: 64
			  contentTypes: [application/json]
			endpoints:
			  - id: molecule-create
			    route: api
			    method: POST
			    path: /molecules
			    requestSchema: molecule.json
			  - id: molecule-draft
			    route: api
			    method: POST
			    path: /drafts
			    mode: shadow
			    requestSchema: molecule.json
			  - id: molecule-get
			    route: api
			    method: GET
			    path: /molecules/{id}
			    query:
			      properties:
			        limit: { type: integer, minimum: 1, maximum: 500 }
			    pathParams:
			      properties:
			        id: { type: string, format: uuid }
			""";

	private static final String MOLECULE_SCHEMA = """
			{"type": "object", "required": ["smiles"], "additionalProperties": false,
			 "properties": {"smiles": {"type": "string", "format": "smiles"}}}
			""";

	private static final String UUID = "0f8fad5b-d9cb-469f-a165-70867728950e";

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final ValidationFilter filter;

	private final RecordingChain chain = new RecordingChain();

	ValidationFilterTests() {
		SortedMap<String, String> files = new TreeMap<>(
				Map.of("validation.yml", VALIDATION_YML, "schemas/molecule.json", MOLECULE_SCHEMA));
		ValidationConfig config = new ValidationConfigLoader(new ValidationMetrics(this.meters), null)
			.load(ConfigFiles.of("conf", files, new TreeMap<>()));
		this.filter = new ValidationFilter(() -> config);
	}

	@Test
	void bodyMatchingTheSchemaIsForwardedByteForByte() {
		String body = "{\"smiles\": \"OCC(O)CO\"}";
		assertThat(forwarded(json("/molecules", body))).isEqualTo(body);
		assertThat(counted("molecule-create", "valid")).isEqualTo(1);
	}

	@Test
	void bodyBreakingTheSchemaIsAnswered400ListingEveryViolationAndNotForwarded() {
		ProblemException problem = problemOf(run(json("/molecules", "{\"smiles\": \"C1CC\", \"name\": \"x\"}")));
		assertThat(problem.problemType().status()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(problem.getMessage())
			.isEqualTo("The request breaks the rules of endpoint 'molecule-create': 2 violations, listed in errors.");
		assertThat(problem.extensions()).containsEntry("endpoint", "molecule-create");
		assertThat(errors(problem)).extracting((error) -> error.get("pointer"))
			.containsExactlyInAnyOrder("/smiles", "/name");
		assertThat(this.chain.called).isFalse();
		assertThat(counted("molecule-create", "rejected")).isEqualTo(1);
	}

	@Test
	void bodyThatIsNotJsonIsAnswered400() {
		ProblemException problem = problemOf(run(json("/molecules", "{\"smiles\": ")));
		assertThat(problem.problemType()).isEqualTo(ProblemType.VALIDATION_FAILED);
		assertThat(errors(problem)).hasSize(1);
		assertThat(this.chain.called).isFalse();
	}

	@Test
	void missingBodyIsAnswered400AsAnEmptyDocument() {
		ProblemException problem = problemOf(
				run(MockServerHttpRequest.post("http://gateway/molecules").contentType(MediaType.APPLICATION_JSON)));
		assertThat(problem.problemType()).isEqualTo(ProblemType.VALIDATION_FAILED);
		assertThat(errors(problem)).hasSize(1);
		assertThat(this.chain.called).isFalse();
	}

	@Test
	void shadowModeForwardsABodyBreakingTheSchemaUnchangedAndCountsIt() {
		String body = "{\"smiles\": \"C1CC\"}";
		assertThat(forwarded(json("/drafts", body))).isEqualTo(body);
		assertThat(counted("molecule-draft", "shadow_rejected")).isEqualTo(1);
		assertThat(counted("molecule-draft", "rejected")).isZero();
	}

	@Test
	void unsupportedMediaTypeIsAnswered415NamingTheAcceptedTypes() {
		ProblemException problem = problemOf(run(MockServerHttpRequest.post("http://gateway/molecules")
			.contentType(MediaType.TEXT_PLAIN)
			.body("{\"smiles\": \"C\"}")));
		assertThat(problem.problemType().status()).isEqualTo(HttpStatus.UNSUPPORTED_MEDIA_TYPE);
		assertThat(problem.getMessage()).isEqualTo("Content type 'text/plain' is not accepted; endpoint "
				+ "'molecule-create' takes [application/json] in UTF-8.");
		assertThat(this.chain.called).isFalse();
		assertThat(counted("molecule-create", "rejected")).isEqualTo(1);
	}

	@Test
	void missingContentTypeIsAnswered415() {
		ProblemException problem = problemOf(
				run(MockServerHttpRequest.post("http://gateway/molecules").body("{\"smiles\": \"C\"}")));
		assertThat(problem.problemType()).isEqualTo(ProblemType.UNSUPPORTED_MEDIA_TYPE);
		assertThat(problem.getMessage()).startsWith("The request has no content type; endpoint 'molecule-create'");
	}

	@Test
	void shadowModeForwardsAnUnsupportedMediaType() {
		String body = "{\"smiles\": \"C\"}";
		assertThat(forwarded(
				MockServerHttpRequest.post("http://gateway/drafts").contentType(MediaType.TEXT_PLAIN).body(body)))
			.isEqualTo(body);
		assertThat(counted("molecule-draft", "shadow_rejected")).isEqualTo(1);
	}

	@Test
	void declaredLengthOverTheCapIsAnswered413WithoutReadingTheBody() {
		ProblemException problem = problemOf(run(MockServerHttpRequest.post("http://gateway/molecules")
			.contentType(MediaType.APPLICATION_JSON)
			.contentLength(65)
			.body(Flux.error(new IllegalStateException("the body must not be read")))));
		assertThat(problem.problemType().status()).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE);
		assertThat(problem.getMessage())
			.isEqualTo("The request body exceeds the limit of 64 bytes for endpoint 'molecule-create'.");
		assertThat(this.chain.called).isFalse();
		assertThat(counted("molecule-create", "rejected")).isEqualTo(1);
	}

	@Test
	void streamedBodyPassingTheCapIsAnswered413BeforeItsMediaTypeIsJudged() {
		DefaultDataBufferFactory buffers = DefaultDataBufferFactory.sharedInstance;
		Flux<DataBuffer> chunks = Flux.just("{\"smiles\": \"", "C".repeat(40), "\"}", " ".repeat(20))
			.map((chunk) -> buffers.wrap(chunk.getBytes(StandardCharsets.UTF_8)));
		ProblemException problem = problemOf(run(
				MockServerHttpRequest.post("http://gateway/molecules").contentType(MediaType.TEXT_PLAIN).body(chunks)));
		assertThat(problem.problemType()).isEqualTo(ProblemType.PAYLOAD_TOO_LARGE);
		assertThat(this.chain.called).isFalse();
		assertThat(counted("molecule-create", "rejected")).isEqualTo(1);
	}

	@Test
	void bodyExactlyAtTheCapIsChecked() {
		String body = "{\"smiles\": \"" + "C".repeat(50) + "\"}";
		assertThat(body).hasSize(64);
		assertThat(forwarded(json("/molecules", body))).isEqualTo(body);
	}

	@Test
	void queryAndPathParametersBreakingTheirRulesAreAnswered400NamingEachParameter() {
		ProblemException problem = problemOf(
				run(MockServerHttpRequest.get("http://gateway/molecules/not-a-uuid?limit=0")));
		assertThat(problem.problemType()).isEqualTo(ProblemType.VALIDATION_FAILED);
		assertThat(errors(problem)).extracting((error) -> error.get("in") + " " + error.get("parameter"))
			.containsExactlyInAnyOrder("query limit", "path id");
		assertThat(this.chain.called).isFalse();
		assertThat(counted("molecule-get", "rejected")).isEqualTo(1);
	}

	@Test
	void parametersWithinTheirRulesAreForwardedWithoutABody() {
		assertThat(forwarded(MockServerHttpRequest.get("http://gateway/molecules/" + UUID + "?limit=500"))).isEmpty();
		assertThat(this.chain.called).isTrue();
		assertThat(counted("molecule-get", "valid")).isEqualTo(1);
	}

	@Test
	void requestOfAnotherEndpointPassesUnread() {
		String body = "not json at all";
		assertThat(forwarded(
				MockServerHttpRequest.put("http://gateway/molecules").contentType(MediaType.TEXT_PLAIN).body(body)))
			.isEqualTo(body);
		assertThat(this.meters.find("gateway.validation.requests").counters())
			.allSatisfy((counter) -> assertThat(counter.count()).isZero());
	}

	@Test
	void corsPreflightIsNeverValidated() {
		StepVerifier
			.create(run(MockServerHttpRequest.options("http://gateway/molecules/not-a-uuid")
				.header("Origin", "https://app.example")
				.header("Access-Control-Request-Method", "GET")))
			.verifyComplete();
		assertThat(this.chain.called).isTrue();
	}

	/** Runs the filter, which must complete, and gives the body the chain read. */
	private String forwarded(MockServerHttpRequest request) {
		StepVerifier.create(run(request)).verifyComplete();
		return this.chain.body;
	}

	private String forwarded(MockServerHttpRequest.BaseBuilder<?> request) {
		return forwarded(request.build());
	}

	private Mono<Void> run(MockServerHttpRequest.BaseBuilder<?> request) {
		return run(request.build());
	}

	private Mono<Void> run(MockServerHttpRequest request) {
		MockServerWebExchange exchange = MockServerWebExchange.from(request);
		exchange.getAttributes()
			.put(GATEWAY_ROUTE_ATTR,
					Route.async()
						.id("api")
						.uri(URI.create("http://upstream"))
						.asyncPredicate((candidate) -> Mono.just(true))
						.build());
		return this.filter.filter(exchange, this.chain);
	}

	private static MockServerHttpRequest json(String path, String body) {
		return MockServerHttpRequest.post("http://gateway" + path).contentType(MediaType.APPLICATION_JSON).body(body);
	}

	private static ProblemException problemOf(Mono<Void> filtered) {
		Throwable[] error = new Throwable[1];
		StepVerifier.create(filtered).consumeErrorWith((thrown) -> error[0] = thrown).verify();
		assertThat(error[0]).isInstanceOf(ProblemException.class);
		return (ProblemException) error[0];
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> errors(ProblemException problem) {
		return (List<Map<String, Object>>) problem.extensions().get("errors");
	}

	private double counted(String endpoint, String outcome) {
		return this.meters.get("gateway.validation.requests")
			.tag("endpoint", endpoint)
			.tag("outcome", outcome)
			.counter()
			.count();
	}

	/** The rest of the chain: records that it ran and reads the body it was given. */
	private static final class RecordingChain implements GatewayFilterChain {

		private boolean called;

		private String body;

		@Override
		public Mono<Void> filter(ServerWebExchange exchange) {
			this.called = true;
			return DataBufferUtils.join(exchange.getRequest().getBody()).map((buffer) -> {
				String text = buffer.toString(StandardCharsets.UTF_8);
				DataBufferUtils.release(buffer);
				return text;
			}).defaultIfEmpty("").doOnNext((text) -> this.body = text).then();
		}

	}

}
