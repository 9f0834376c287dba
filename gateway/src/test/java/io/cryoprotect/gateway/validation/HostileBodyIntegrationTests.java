package io.cryoprotect.gateway.validation;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hostile-body catalogue of docs/reliability.md on checked endpoints: oversized
 * bodies (H2) by Content-Length and chunked are 413 with nothing forwarded; malformed
 * JSON (H3) and invalid UTF-8 (H4) are 400 (in the route's error shape, Flask's here)
 * with the position, never a 5xx. Surefire's paranoid leak detection, with .ci/run
 * failing on any LEAK report, covers the buffers of every path here, including a client
 * that disconnects mid-body.
 */
class HostileBodyIntegrationTests extends ValidationIntegrationTest {

	/**
	 * molecule-import ships with maxBodyBytes 4096, well under the edge's 64 KB in this
	 * context.
	 */
	private static final String IMPORT = "/api/v1/molecules";

	@Test
	void bodyOverTheEndpointCapByContentLengthIs413AndNothingIsForwarded() {
		double rejected = requests("flask-api", "molecule-import", "rejected");
		postJson(IMPORT, "{\"cid\": 962, \"note\": \"" + "x".repeat(5_000) + "\"}").expectStatus()
			.isEqualTo(413)
			.expectHeader()
			.contentType(MediaType.APPLICATION_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://cryoprotect.io/problems/payload-too-large")
			.jsonPath("$.detail")
			.isEqualTo("The request body exceeds the limit of 4096 bytes for endpoint 'molecule-import'.");
		assertThat(FLASK_BLUE.count()).isZero();
		assertThat(FLASK_BLUE.bodyBytesTotal()).isZero();
		assertThat(requests("flask-api", "molecule-import", "rejected")).isEqualTo(rejected + 1);
	}

	@Test
	void chunkedBodyOverTheEndpointCapIs413AndNothingIsForwarded() {
		double rejected = requests("flask-api", "molecule-import", "rejected");
		byte[] chunk = " ".repeat(1024).getBytes(StandardCharsets.US_ASCII);
		String response = chunked(IMPORT, Flux.range(0, 8).map(i -> Unpooled.wrappedBuffer(chunk)));
		assertThat(response).startsWith("413 ").contains("limit of 4096 bytes for endpoint 'molecule-import'");
		assertThat(FLASK_BLUE.count()).isZero();
		assertThat(FLASK_BLUE.bodyBytesTotal()).isZero();
		assertThat(requests("flask-api", "molecule-import", "rejected")).isEqualTo(rejected + 1);
	}

	@Test
	void chunkedBodyOverTheEdgeCapIs413EvenWithoutAContentType() {
		byte[] chunk = new byte[8 * 1024];
		String response = chunked("/api/v1/mixtures", Flux.range(0, 40).map(i -> Unpooled.wrappedBuffer(chunk)));
		assertThat(response).startsWith("413 ").contains("payload-too-large");
		assertThat(FLASK_BLUE.bodyBytesTotal()).isZero();
	}

	@Test
	void chunkedBodyUnderTheCapIsCheckedAndForwardedWhole() {
		String body = "{\"cid\":\n 962}";
		String response = chunked(IMPORT, Flux.just(body.substring(0, 5), body.substring(5, 9), body.substring(9))
			.map(part -> Unpooled.wrappedBuffer(part.getBytes(StandardCharsets.UTF_8))));
		assertThat(response).startsWith("200 ");
		assertThat(FLASK_BLUE.last().bodyText()).isEqualTo(body);
	}

	static Stream<Arguments> malformedJson() {
		return Stream.of(
				Arguments.of("truncated", "{\"cid\": 96",
						"Unexpected end-of-input: expected close marker for Object at line 1, column 11"),
				Arguments.of("10k-deep nesting", "[".repeat(10_000),
						"Document nesting depth (65) exceeds the maximum allowed (64) at line 1, column 66"),
				Arguments.of("10k-deep objects", "{\"a\":".repeat(10_000),
						"Document nesting depth (65) exceeds the maximum allowed (64) at line 1, column 322"),
				Arguments.of("duplicate key", "{\"cid\": 962, \"cid\": 1}",
						"Duplicate Object property \"cid\" at line 1, column 19"),
				Arguments.of("huge number", "{\"cid\": " + "9".repeat(3_000) + "}",
						"Number value length (3000) exceeds the maximum allowed (100) at line 1, column 3009"),
				Arguments.of("trailing data", "{\"cid\": 962} {}",
						"Unexpected data after the JSON document at line 1, column 14"),
				Arguments.of("empty", "", "The body is empty; a JSON document is required"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("malformedJson")
	void malformedJsonIs400WithThePositionAndNeverForwarded(String kind, String body, String message) {
		postJson("/api/v1/mixtures", body).expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://cryoprotect.io/problems/validation-failed")
			.jsonPath("$.status")
			.isEqualTo("error")
			.jsonPath("$.errors.length()")
			.isEqualTo(1)
			.jsonPath("$.errors[0].pointer")
			.isEqualTo("")
			.jsonPath("$.errors[0].keyword")
			.isEqualTo("json")
			.jsonPath("$.errors[0].message")
			.isEqualTo(message);
		assertThat(FLASK_BLUE.count()).isZero();
	}

	@Test
	void numberOverflowingToInfinityIs400AtItsPointer() {
		postJson("/api/v1/mixtures", "{\"name\": \"m\", \"components\": [{\"molecule_id\": "
				+ "\"3f1c9a52-7d4e-4b5e-9a3c-1234567890ab\", \"concentration\": 1e999999, \"concentration_unit\": \"mM\"}]}")
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].pointer")
			.isEqualTo("/components/0/concentration")
			.jsonPath("$.errors[0].keyword")
			.isEqualTo("json")
			.jsonPath("$.errors[0].message")
			.isEqualTo("Number is too large to represent");
		assertThat(FLASK_BLUE.count()).isZero();
	}

	@Test
	void hugeStringIs400ByTheSchemaAndByTheParserLimit() {
		postJson("/api/v1/mixtures", "{\"name\": \"" + "x".repeat(60_000) + "\", \"components\": []}").expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].pointer")
			.isEqualTo("/name")
			.jsonPath("$.errors[0].keyword")
			.isEqualTo("maxLength");
		editValidationYml("  maxStringLength: 100000\n", "  maxStringLength: 1000\n");
		postJson("/api/v1/mixtures", "{\"name\": \"" + "x".repeat(60_000) + "\", \"components\": []}").expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].keyword")
			.isEqualTo("json")
			.jsonPath("$.errors[0].message")
			.value(m -> assertThat(m.toString()).startsWith("String value length (")
				.contains("exceeds the maximum allowed (1000) at line 1, column "));
		assertThat(FLASK_BLUE.count()).isZero();
	}

	@Test
	void invalidUtf8InTheBodyIs400() {
		byte[] body = { '{', '"', 'c', 'i', 'd', '"', ':', ' ', '"', (byte) 0xC3, (byte) 0x28, '"', '}' };
		client().post()
			.uri(IMPORT)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].keyword")
			.isEqualTo("json")
			.jsonPath("$.errors[0].message")
			.isEqualTo("Invalid UTF-8 middle byte 0x28 at line 1, column 12");
		assertThat(FLASK_BLUE.count()).isZero();
	}

	@Test
	void clientThatDisconnectsMidBodyIsNeitherForwardedNorCounted() throws IOException {
		double counted = requests("flask-api", "molecule-import", "valid")
				+ requests("flask-api", "molecule-import", "rejected");
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
			OutputStream out = socket.getOutputStream();
			out.write(("POST " + IMPORT + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
					+ "Content-Length: 2000\r\n\r\n{\"cid\": 96")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
		}
		// The next request on a fresh connection is served normally, and only it reaches
		// the upstream.
		postJson(IMPORT, "{\"cid\": 962}").expectStatus().isOk().expectBody().returnResult();
		assertThat(FLASK_BLUE.count()).isEqualTo(1);
		assertThat(FLASK_BLUE.last().bodyText()).isEqualTo("{\"cid\": 962}");
		assertThat(requests("flask-api", "molecule-import", "valid")
				+ requests("flask-api", "molecule-import", "rejected"))
			.isEqualTo(counted + 1);
	}

	/** Sends a chunked JSON POST (no Content-Length) and returns "status body". */
	private String chunked(String path, Flux<ByteBuf> body) {
		return HttpClient.create()
			.headers(h -> h.set("Content-Type", "application/json"))
			.post()
			.uri("http://127.0.0.1:" + port + path)
			.send(body)
			.responseSingle((res,
					content) -> content.asString().defaultIfEmpty("").map(text -> res.status().code() + " " + text))
			.block(Duration.ofSeconds(10));
	}

}
