package io.cryoprotect.gateway.errors;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import io.cryoprotect.gateway.support.RequestBodyTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquirePendingLimitException;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquireTimeoutException;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

import static org.assertj.core.api.Assertions.assertThat;

/** One error map: each failure becomes exactly one status and problem type. */
class ErrorMapTests {

	@Test
	void connectFailureIs502() {
		assertThat(ErrorMap.toProblem(new RuntimeException(new ConnectException("refused"))).problemType())
			.isEqualTo(ProblemType.UPSTREAM_UNREACHABLE);
	}

	@Test
	void upstreamTimeoutIs504() {
		assertThat(ErrorMap.toProblem(new TimeoutException()).problemType()).isEqualTo(ProblemType.UPSTREAM_TIMEOUT);
	}

	@Test
	void upstreamReadTimeoutIs504() {
		assertThat(ErrorMap.toProblem(new RuntimeException(ReadTimeoutException.INSTANCE)).problemType())
			.isEqualTo(ProblemType.UPSTREAM_TIMEOUT);
	}

	/** The edge's own body timeout is the client's: 408, not the upstream's 504. */
	@Test
	void stalledRequestBodyIs408() {
		ProblemException problem = ErrorMap.toProblem(new RuntimeException(RequestBodyTimeoutException.INSTANCE));
		assertThat(problem.problemType()).isEqualTo(ProblemType.REQUEST_TIMEOUT);
		assertThat(problem.problemType().status()).isEqualTo(HttpStatus.REQUEST_TIMEOUT);
		assertThat(ErrorMap.toProblem(new ResponseStatusException(HttpStatus.REQUEST_TIMEOUT)).problemType())
			.isEqualTo(ProblemType.REQUEST_TIMEOUT);
	}

	@Test
	void fullConnectionPoolIs503NotATimeout() {
		assertThat(ErrorMap.toProblem(new PoolAcquireTimeoutException(Duration.ofSeconds(2))).problemType())
			.isEqualTo(ProblemType.UPSTREAM_SATURATED);
		assertThat(ErrorMap.toProblem(new PoolAcquirePendingLimitException(10)).problemType())
			.isEqualTo(ProblemType.UPSTREAM_SATURATED);
	}

	@Test
	void closeBeforeTheResponseIs502() {
		assertThat(ErrorMap.toProblem(PrematureCloseException.TEST_EXCEPTION).problemType())
			.isEqualTo(ProblemType.UPSTREAM_UNREACHABLE);
	}

	@Test
	void noHandlerIsNoRoute404() {
		ProblemException problem = ErrorMap.toProblem(new ResponseStatusException(HttpStatus.NOT_FOUND));
		assertThat(problem.problemType()).isEqualTo(ProblemType.NO_ROUTE);
		assertThat(problem.getMessage()).isEqualTo("No route matches this path and method.");
	}

	@Test
	void anythingUnforeseenIs500WithoutLeakingItsMessage() {
		ProblemException problem = ErrorMap.toProblem(new IllegalStateException("secret internals"));
		assertThat(problem.problemType()).isEqualTo(ProblemType.INTERNAL);
		assertThat(problem.getMessage()).doesNotContain("secret");
	}

}
