package io.cryoprotect.gateway.support;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The ownership rules of the per-request state: one object per exchange, write-once
 * facts, and the verdicts' names.
 */
class RequestStateTests {

	private static final UpstreamTarget BLUE = new UpstreamTarget("flask-api", "blue", "http://127.0.0.1:9101");

	private static final UpstreamTarget GREEN = new UpstreamTarget("flask-api", "green", "http://127.0.0.1:9102");

	private static MockServerWebExchange exchange() {
		return MockServerWebExchange.from(MockServerHttpRequest.get("http://gateway/api/v1/molecules")
			.remoteAddress(new InetSocketAddress("192.0.2.7", 50_000)));
	}

	/** Routing's pick of {@code target}. */
	private static ColourPick pick(UpstreamTarget target) {
		return new ColourPick() {

			@Override
			public UpstreamTarget target() {
				return target;
			}

			@Override
			public boolean healthy() {
				return true;
			}

			@Override
			public Retarget colour(String colour, URI url) {
				return null;
			}

		};
	}

	@Test
	void oneStatePerExchangeSharedByItsMutations() {
		MockServerWebExchange exchange = exchange();
		RequestState state = RequestState.of(exchange);
		ServerWebExchange mutated = exchange.mutate()
			.request(exchange.getRequest().mutate().path("/api/v2/molecules").build())
			.build();
		assertThat(RequestState.of(exchange)).isSameAs(state);
		assertThat(RequestState.of(mutated)).isSameAs(state);
		assertThat(RequestState.of(exchange())).isNotSameAs(state);
	}

	@Test
	void writeOnceFactsRefuseASecondWriteAndKeepTheFirst() {
		RequestState state = RequestState.of(exchange());
		Caller caller = new Caller("user-1", null, "user", null, Instant.EPOCH);
		state.requestId("req-1");
		state.clientAddress("203.0.113.9");
		state.caller(caller);
		state.validation(ValidationVerdict.SHADOW_FAILED);

		assertThatIllegalStateException().isThrownBy(() -> state.requestId("req-2"))
			.withMessageContaining("request id");
		assertThatIllegalStateException().isThrownBy(() -> state.clientAddress("198.51.100.1"))
			.withMessageContaining("client address");
		assertThatIllegalStateException()
			.isThrownBy(() -> state.caller(new Caller("user-2", null, "admin", null, Instant.EPOCH)))
			.withMessageContaining("caller");
		assertThatIllegalStateException().isThrownBy(() -> state.validation(ValidationVerdict.PASSED))
			.withMessageContaining("validation verdict");

		assertThat(state.requestId()).isEqualTo("req-1");
		assertThat(state.clientAddress()).isEqualTo("203.0.113.9");
		assertThat(state.caller()).isSameAs(caller);
		assertThat(state.validation()).isEqualTo(ValidationVerdict.SHADOW_FAILED);
	}

	@Test
	void factsThatChangeTakeEachWrite() {
		RequestState state = RequestState.of(exchange());
		assertThat(state.attempts()).isZero();
		state.attempt(1);
		state.attempt(2);
		assertThat(state.attempts()).isEqualTo(2);

		state.rateLimit(RateLimitVerdict.SHADOW_LIMITED);
		state.rateLimit(RateLimitVerdict.ALLOWED);
		assertThat(state.rateLimit()).as("the body stage's verdict replaces the keyed stage's")
			.isEqualTo(RateLimitVerdict.ALLOWED);

		assertThat(state.rateLimitShown()).as("no RateLimit header yet").isEqualTo(Long.MAX_VALUE);
		state.rateLimitShown(9);
		state.rateLimitShown(3);
		assertThat(state.rateLimitShown()).isEqualTo(3);
	}

	@Test
	void theColourCalledIsTheAttemptsTargetAndThePickStaysRoutings() {
		RequestState state = RequestState.of(exchange());
		assertThat(state.upstream()).as("before routing").isNull();
		ColourPick pick = pick(BLUE);
		state.pick(pick);
		assertThat(state.upstream()).as("no attempt yet: what was picked").isEqualTo(BLUE);

		state.target(GREEN, null);
		assertThat(state.upstream()).as("the fallback was called").isEqualTo(GREEN);
		assertThat(state.pick()).as("the pick is untouched").isSameAs(pick);
		assertThat(state.target()).isEqualTo(GREEN);
	}

	@Test
	void theClientAddressIsThePeerUnlessATrustedProxyReportedOne() {
		RequestState state = RequestState.of(exchange());
		assertThat(state.clientAddress()).isEqualTo("192.0.2.7");
		assertThat(state.callerKey()).as("anonymous: the address").isEqualTo("192.0.2.7");
		state.clientAddress("203.0.113.9");
		assertThat(state.clientAddress()).isEqualTo("203.0.113.9");
		assertThat(state.peerAddress()).isEqualTo("192.0.2.7");
		state.caller(new Caller("user-1", null, "user", null, Instant.EPOCH));
		assertThat(state.callerKey()).as("verified: the subject").isEqualTo("user-1");

		RequestState unknown = RequestState.of(MockServerWebExchange.from(MockServerHttpRequest.get("/")));
		assertThat(unknown.clientAddress()).isEqualTo("unknown");
	}

	@Test
	void verdictsAreNamedAsTheAccessLogWritesThem() {
		assertThat(Arrays.stream(RateLimitVerdict.values()).map(RateLimitVerdict::value)).containsExactly("allowed",
				"limited", "shadow_limited", "degraded");
		assertThat(Arrays.stream(ValidationVerdict.values()).map(ValidationVerdict::value)).containsExactly("passed",
				"failed", "shadow_failed");
		assertThat(RateLimitVerdict.SHADOW_LIMITED).hasToString("shadow_limited");
		assertThat(ValidationVerdict.SHADOW_FAILED).hasToString("shadow_failed");
	}

}
