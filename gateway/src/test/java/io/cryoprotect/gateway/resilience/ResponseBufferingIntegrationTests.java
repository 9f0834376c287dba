package io.cryoprotect.gateway.resilience;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How upstream bodies reach the client (gateway.edge.response-buffer-size, 64 KB): a
 * response with a Content-Length within the buffer is read whole, then sent with its
 * headers in one write; a larger one, and a streaming media type whatever its size, is
 * forwarded as it arrives. The stub sends the headers and a first part of the body, then
 * holds the rest.
 */
class ResponseBufferingIntegrationTests extends GatewayIntegrationTest {

	private static final String GET = "GET /api/v1/molecules HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

	/** The length of the stub's JSON answer to /api/v1/molecules. */
	private static final long MOLECULES_JSON_LENGTH = ("{\"upstream\":\"" + FLASK_BLUE.name()
			+ "\",\"path\":\"api/v1/molecules\"}")
		.length();

	@Test
	void aSmallResponseIsSentWholeWithItsHeadersInOneWrite() throws IOException {
		try (Socket socket = getHeldAfterFirstPart("application/json", 1000, 100)) {
			// The upstream has sent the headers and 100 bytes; a streaming proxy would
			// pass them on within a millisecond.
			socket.setSoTimeout(300);
			InputStream in = socket.getInputStream();
			assertThatThrownBy(in::read).as("bytes before the whole body arrived")
				.isInstanceOf(SocketTimeoutException.class);
			FLASK_BLUE.release();
			socket.setSoTimeout(5_000);
			byte[] buffer = new byte[16_384];
			int n = in.read(buffer);
			String first = new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
			assertThat(first).startsWith("HTTP/1.1 200 ").contains("Content-Length: 1000\r\n");
			assertThat(first.substring(first.indexOf("\r\n\r\n") + 4)).as("body in the first read")
				.hasSize(1000)
				.startsWith("a".repeat(100) + "b");
		}
	}

	@Test
	void aResponseLargerThanTheBufferStreams() throws IOException {
		int length = 100 * 1024;
		try (Socket socket = getHeldAfterFirstPart("application/json", length, 100)) {
			assertThat(readUntil(socket, "a".repeat(100))).startsWith("HTTP/1.1 200 ")
				.contains("Content-Length: " + length + "\r\n");
			FLASK_BLUE.release();
			assertThat(readAll(socket)).hasSize(length - 100).matches("b+");
		}
	}

	@Test
	void aStreamingMediaTypeIsForwardedAsItArrivesWhateverItsLength() throws IOException {
		try (Socket socket = getHeldAfterFirstPart("text/event-stream", 1000, 100)) {
			assertThat(readUntil(socket, "a".repeat(100))).startsWith("HTTP/1.1 200 ");
			FLASK_BLUE.release();
			assertThat(readAll(socket)).hasSize(900);
		}
	}

	@Test
	void aHeadAnswerKeepsItsLengthAndHasNoBody() {
		byte[] body = client().head()
			.uri("/api/v1/molecules")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentLength(MOLECULES_JSON_LENGTH)
			.expectBody()
			.returnResult()
			.getResponseBodyContent();
		assertThat(body).isNullOrEmpty();
	}

	/**
	 * Sends the GET over a new socket, the stub answering with {@code length} bytes of
	 * {@code contentType} of which it sends the first {@code first} and holds the rest
	 * until released; returns once that part is out.
	 */
	private Socket getHeldAfterFirstPart(String contentType, int length, int first) throws IOException {
		// Armed before the request is sent: the gateway may forward it at once.
		Mono<Void> firstPartSent = FLASK_BLUE.split(contentType, length, first);
		Socket socket = new Socket();
		try {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
			socket.getOutputStream().write(GET.getBytes(StandardCharsets.ISO_8859_1));
			firstPartSent.block(Duration.ofSeconds(5));
			return socket;
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	/** Reads until {@code marker} has arrived (5 s at most); returns what was read. */
	private static String readUntil(Socket socket, String marker) throws IOException {
		socket.setSoTimeout(5_000);
		InputStream in = socket.getInputStream();
		ByteArrayOutputStream received = new ByteArrayOutputStream();
		byte[] buffer = new byte[16_384];
		while (!received.toString(StandardCharsets.ISO_8859_1).contains(marker)) {
			int n = in.read(buffer);
			assertThat(n).as("connection closed before " + marker.length() + " marker bytes").isPositive();
			received.write(buffer, 0, n);
		}
		return received.toString(StandardCharsets.ISO_8859_1);
	}

	/** Reads to the end of the connection. */
	private static String readAll(Socket socket) throws IOException {
		socket.setSoTimeout(5_000);
		return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
	}

}
