package io.cryoprotect.gateway.edge;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import io.cryoprotect.gateway.support.StandaloneGateway;
import io.cryoprotect.gateway.support.TestConfigDir;
import io.cryoprotect.gateway.support.TestUpstreams;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slow clients are cut off by the server's timeouts instead of holding a connection forever
 * (RELIABILITY.md H10). A dedicated gateway runs with 300 ms idle and read timeouts.
 */
class SlowClientIntegrationTests {

	@Test
	void stalledHeadersAndStalledBodiesAreDisconnected() throws Exception {
		TestConfigDir routes = new TestConfigDir("routes");
		try (ConfigurableApplicationContext context = StandaloneGateway.start("--gateway.edge.idle-timeout=300ms", "--gateway.edge.read-timeout=300ms",
				"--gateway.routing.dir=" + routes.path(), "--FLASK_BLUE_URL=" + TestUpstreams.FLASK_BLUE.url())) {
			int port = StandaloneGateway.port(context);
			assertDisconnected(port, "GET /api/v1/molecules HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
			assertDisconnected(port, "POST /api/v1/mixtures HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
					+ "Content-Length: 100\r\n\r\n{\"name\":");
			assertThat(TestUpstreams.FLASK_BLUE.received()).noneMatch(r -> r.method().equals("GET"));
		}
	}

	private static void assertDisconnected(int port, String partialRequest) throws Exception {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port));
			socket.setSoTimeout(5_000);
			OutputStream out = socket.getOutputStream();
			out.write(partialRequest.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			long start = System.nanoTime();
			InputStream in = socket.getInputStream();
			int read;
			do {
				read = in.read();
			}
			while (read >= 0);
			long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
			// Closed by the server (read() == -1), well before the 5 s socket timeout would have fired.
			assertThat(elapsedMillis).isBetween(200L, 3_000L);
		}
	}

}
