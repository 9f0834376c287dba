package io.cryoprotect.gateway.edge;

import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import io.cryoprotect.gateway.support.RawHttp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ambiguous framing is refused with 400 and a closed connection, and the request smuggled
 * behind it never reaches an upstream (docs/reliability.md H5).
 */
class SmugglingIntegrationTests extends GatewayIntegrationTest {

	private static final String SMUGGLED = "GET /api/v1/smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

	@ParameterizedTest
	@ValueSource(strings = {
			"POST /api/v1/mixtures HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			"POST /api/v1/mixtures HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n",
			"POST /api/v1/mixtures HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked, xchunked\r\n\r\n0\r\n\r\n",
			"POST /api/v1/mixtures HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
			"GET /api/v1/molecules HTTP/1.1\nHost: 127.0.0.1\nX-A: b\n\n",
			"GET /api/v1/molecules HTTP/1.1\r\nHost: 127.0.0.1\r\nNoColonHere\r\n\r\n" })
	void ambiguousFramingIsRefusedAndNothingIsSmuggled(String attack) {
		RawHttp.Response response = RawHttp.send(port, attack + SMUGGLED);
		assertThat(response.status()).isEqualTo(400);
		assertThat(response.text().toLowerCase(java.util.Locale.ROOT)).contains("\r\nconnection: close\r\n");
		assertThat(response.body()).contains("\"type\":\"https://cryoprotect.io/problems/bad-request\"");
		assertThat(response.closedByServer()).as("connection closed after the 400").isTrue();
		assertThat(FLASK_BLUE.received()).noneMatch(r -> r.uri().contains("smuggled"));
		assertThat(FLASK_BLUE.received()).noneMatch(r -> r.method().equals("POST"));
	}

}
