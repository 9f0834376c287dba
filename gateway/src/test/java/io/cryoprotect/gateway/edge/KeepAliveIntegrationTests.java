package io.cryoprotect.gateway.edge;

import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import io.cryoprotect.gateway.support.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A kept-alive connection goes on being read after a request the gateway answers itself
 * (a 404, a 401, a 400) was queued behind a proxied one. Reactor Netty 1.3.6 stopped
 * reading such a connection for good (reactor/reactor-netty#4361): the next request sat
 * unanswered until the client gave up.
 */
class KeepAliveIntegrationTests extends GatewayIntegrationTest {

	private static final String PROXIED = "GET /api/v1/molecules HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "GET /no-such-route HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n | 404",
			"GET /api/v1/molecules HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nAuthorization: Bearer not-a-token\\r\\n\\r\\n | 401",
			"POST /api/v1/mixtures HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Type: application/json\\r\\nContent-Length: 2\\r\\n\\r\\n[] | 400" })
	void aLocallyAnsweredRequestQueuedBehindAProxiedOneLeavesTheConnectionReadable(String local, int status) {
		String answeredLocally = local.replace("\\r\\n", "\r\n");
		try (RawHttp.KeptAlive connection = RawHttp.connect(port)) {
			connection.write(PROXIED + answeredLocally);
			assertThat(connection.read().status()).isEqualTo(200);
			assertThat(connection.read().status()).isEqualTo(status);
			for (int i = 0; i < 3; i++) {
				assertThat(connection.write(PROXIED).read().status()).as("request %d after the local answer", i + 1)
					.isEqualTo(200);
			}
		}
	}

	@Test
	void theManagementPortStaysReadableToo() {
		String health = "GET /actuator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
		try (RawHttp.KeptAlive connection = RawHttp.connect(managementPort)) {
			connection.write(health + "GET /actuator/nothing-here HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
			assertThat(connection.read().status()).isEqualTo(200);
			assertThat(connection.read().status()).isEqualTo(404);
			for (int i = 0; i < 3; i++) {
				assertThat(connection.write(health).read().status()).as("request %d after the 404", i + 1)
					.isEqualTo(200);
			}
		}
	}

}
