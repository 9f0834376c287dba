package io.cryoprotect.gateway.observability;

import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request ids are kept when well-formed, generated otherwise, and travel both ways;
 * traceparent passes.
 */
class RequestIdIntegrationTests extends GatewayIntegrationTest {

	@Test
	void wellFormedRequestIdIsForwardedAndReturned() {
		client().get()
			.uri("/api/v1/molecules")
			.header("X-Request-Id", "abc-123_x.y:z")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("X-Request-Id", "abc-123_x.y:z")
			.expectBody()
			.returnResult();
		assertThat(FLASK_BLUE.last().headers().getAll("X-Request-Id")).containsExactly("abc-123_x.y:z");
	}

	@Test
	void malformedRequestIdIsReplaced() {
		String returned = client().get()
			.uri("/api/v1/molecules")
			.header("X-Request-Id", "bad id with spaces")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult()
			.getResponseHeaders()
			.getFirst("X-Request-Id");
		assertThat(returned).matches("[0-9a-f]{32}");
		assertThat(FLASK_BLUE.last().headers().getAll("X-Request-Id")).containsExactly(returned);
	}

	@Test
	void missingRequestIdIsGenerated() {
		String returned = client().get()
			.uri("/api/v1/molecules")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult()
			.getResponseHeaders()
			.getFirst("X-Request-Id");
		assertThat(returned).matches("[0-9a-f]{32}");
		assertThat(FLASK_BLUE.last().headers().get("X-Request-Id")).isEqualTo(returned);
	}

	@Test
	void traceparentPassesThrough() {
		String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
		client().get()
			.uri("/api/v1/molecules")
			.header("traceparent", traceparent)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		assertThat(FLASK_BLUE.last().headers().get("traceparent")).isEqualTo(traceparent);
	}

}
