package io.cryoprotect.gateway.observability;

import io.cryoprotect.gateway.errors.ProblemType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each problem type maps to one rejection cause, and upstream failures and bugs are not
 * rejections.
 */
class RejectionCauseTests {

	@Test
	void gatewayRefusalsAreRejectionsByCause() {
		assertThat(RejectionCause.of(ProblemType.VALIDATION_FAILED)).isEqualTo("validation");
		assertThat(RejectionCause.of(ProblemType.BAD_REQUEST)).isEqualTo("edge_limit");
		assertThat(RejectionCause.of(ProblemType.UNSUPPORTED_MEDIA_TYPE)).isEqualTo("validation");
		assertThat(RejectionCause.of(ProblemType.RATE_LIMITED)).isEqualTo("rate_limit");
		assertThat(RejectionCause.of(ProblemType.UPSTREAM_UNAVAILABLE)).isEqualTo("breaker");
		assertThat(RejectionCause.of(ProblemType.NO_HEALTHY_UPSTREAM)).isEqualTo("no_healthy_upstream");
		assertThat(RejectionCause.of(ProblemType.UPSTREAM_SATURATED)).isEqualTo("pool_exhausted");
		assertThat(RejectionCause.of(ProblemType.UPSTREAM_TIMEOUT)).isEqualTo("timeout");
		assertThat(RejectionCause.of(ProblemType.PAYLOAD_TOO_LARGE)).isEqualTo("edge_limit");
		assertThat(RejectionCause.of(ProblemType.HEADERS_TOO_LARGE)).isEqualTo("edge_limit");
		assertThat(RejectionCause.of(ProblemType.URI_TOO_LONG)).isEqualTo("edge_limit");
		assertThat(RejectionCause.of(ProblemType.REQUEST_TIMEOUT)).isEqualTo("edge_limit");
		assertThat(RejectionCause.of(ProblemType.NO_ROUTE)).isEqualTo("no_route");
		assertThat(RejectionCause.of(ProblemType.NOT_READY)).isEqualTo("not_ready");
		assertThat(RejectionCause.of(ProblemType.UNAUTHORIZED)).isEqualTo("auth");
	}

	@Test
	void upstreamFailuresAndGatewayBugsAreNotRejections() {
		assertThat(RejectionCause.of(ProblemType.UPSTREAM_UNREACHABLE)).isNull();
		assertThat(RejectionCause.of(ProblemType.INTERNAL)).isNull();
	}

}
