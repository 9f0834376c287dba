package io.cryoprotect.gateway.validation;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every path through validation (forwarded, 400, 413 by length and by stream, 415,
 * shadow, response check, client gone mid-body) leaves no Netty buffer unreleased.
 * Paranoid detection tracks every buffer; forcing collections makes it report what was
 * dropped unreleased, and Netty's leak listener turns a report into a failed assertion
 * rather than only a log line.
 */
class BufferLeakIntegrationTests extends ValidationIntegrationTest {

	@Test
	void noPathThroughValidationLeaksABuffer() {
		List<String> leaks = new CopyOnWriteArrayList<>();
		ByteBufUtil.setLeakListener((type, records) -> leaks.add(type + ": " + records));
		try {
			for (int round = 0; round < 3; round++) {
				for (int i = 0; i < 20; i++) {
					everyPath();
				}
				System.gc();
			}
			// A collected buffer is reported when the detector next tracks an allocation.
			for (int i = 0; i < 20; i++) {
				postJson("/api/v1/molecules", "{\"cid\": 962}").expectStatus().isOk().expectBody().returnResult();
			}
		}
		finally {
			ByteBufUtil.setLeakListener(null);
		}
		assertThat(leaks).isEmpty();
	}

	private void everyPath() {
		postJson("/api/v1/molecules", "{\"cid\": 962}").expectStatus().isOk().expectBody().returnResult();
		postJson("/api/v1/mixtures", "{\"name\": \"\"}").expectStatus().isBadRequest().expectBody().returnResult();
		postJson("/api/v1/mixtures", "{\"name\": ").expectStatus().isBadRequest().expectBody().returnResult();
		postJson("/api/v1/molecules", "{\"cid\": \"" + "9".repeat(5_000) + "\"}").expectStatus()
			.isEqualTo(413)
			.expectBody()
			.returnResult();
		client().post()
			.uri("/api/v1/molecules")
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue("962")
			.exchange()
			.expectStatus()
			.isEqualTo(415)
			.expectBody()
			.returnResult();
		// Shadow mode: an invalid body is counted and still forwarded.
		postJson("/auth/register", "{\"email\": 5}").expectStatus().isOk().expectBody().returnResult();
		postJson("/convex/api/query", "{\"path\": \"molecules:listMolecules\"}").expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		byte[] chunk = " ".repeat(1024).getBytes(StandardCharsets.US_ASCII);
		String tooLarge = HttpClient.create()
			.headers(h -> h.set("Content-Type", "application/json"))
			.post()
			.uri("http://127.0.0.1:" + port + "/api/v1/molecules")
			.send(Flux.range(0, 8).map(n -> Unpooled.wrappedBuffer(chunk)))
			.responseSingle((res,
					content) -> content.asString().defaultIfEmpty("").map(text -> res.status().code() + " " + text))
			.block(Duration.ofSeconds(10));
		assertThat(tooLarge).startsWith("413 ");
		abandonMidBody();
	}

	private void abandonMidBody() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
			OutputStream out = socket.getOutputStream();
			out.write(("POST /api/v1/mixtures HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
					+ "Content-Length: 2000\r\n\r\n{\"name\": \"m")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
