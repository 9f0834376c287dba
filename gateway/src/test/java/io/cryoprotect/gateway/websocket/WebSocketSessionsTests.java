package io.cryoprotect.gateway.websocket;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.cryoprotect.gateway.errors.ProblemException;
import io.cryoprotect.gateway.errors.ProblemType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.socket.CloseStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Caps, idle timeout and drain of the open WebSockets, on virtual time. */
class WebSocketSessionsTests {

	private static final String ROUTE = "convex-sync";

	private final VirtualTimeScheduler time = VirtualTimeScheduler.create();

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	@AfterEach
	void stopTime() {
		time.dispose();
	}

	@Test
	void byDefaultASocketSilentFarLongerThanConvexsSixtySecondsStaysOpenForFiveMinutes() {
		WebSocketSessions sessions = sessions(new WebSocketProperties(null, null, null, null));
		Ends ends = new Ends();
		sessions.admit(ROUTE, "203.0.113.7").start(ends::client);

		time.advanceTimeBy(Duration.ofSeconds(61));
		assertThat(ends.closed).isEmpty();
		time.advanceTimeBy(Duration.ofMinutes(5).minusSeconds(62));
		assertThat(ends.closed).as("silent for 4 min 59 s").isEmpty();
		time.advanceTimeBy(Duration.ofSeconds(1));
		assertThat(ends.closed).containsExactly(WebSocketSessions.IDLE);
	}

	@Test
	void aFrameEitherWayRestartsTheIdleTimeoutAndTheTimeoutClosesBothEnds() {
		WebSocketSessions sessions = sessions(new WebSocketProperties(Duration.ofMinutes(5), null, null, null));
		Ends ends = new Ends();
		WebSocketSessions.Lease lease = sessions.admit(ROUTE, "203.0.113.7");
		lease.start(ends::client);
		lease.upstream(ends::upstream);

		time.advanceTimeBy(Duration.ofMinutes(4));
		lease.frame();
		time.advanceTimeBy(Duration.ofMinutes(4));
		assertThat(ends.closed).as("8 min open, 4 min silent").isEmpty();
		lease.frame();
		time.advanceTimeBy(Duration.ofMinutes(5));
		assertThat(ends.closed).containsExactly(WebSocketSessions.IDLE, WebSocketSessions.IDLE);
		assertThat(ends.upstreamClosed).isTrue();

		lease.endedBy("client");
		lease.end();
		assertThat(sessions("idle")).isEqualTo(1);
		assertThat(sessions("client")).isZero();
		assertThat(connections()).isZero();
	}

	@Test
	void capsCountPerCallerAndInTotalAndAnEndedOrAbandonedSocketFreesItsPlace() {
		WebSocketSessions sessions = sessions(new WebSocketProperties(null, 3, 2, null));
		WebSocketSessions.Lease first = sessions.admit(ROUTE, "a");
		first.start(new Ends()::client);
		WebSocketSessions.Lease second = sessions.admit(ROUTE, "a");
		assertRefused(() -> sessions.admit(ROUTE, "a"), ProblemType.RATE_LIMITED);
		sessions.admit(ROUTE, "b").start(new Ends()::client);
		assertRefused(() -> sessions.admit(ROUTE, "c"), ProblemType.UPSTREAM_SATURATED);

		// The second never got past its handshake; the first ends.
		second.abandon();
		first.end();
		assertThat(connections()).isEqualTo(1);
		sessions.admit(ROUTE, "a");
		sessions.admit(ROUTE, "a");
		assertRefused(() -> sessions.admit(ROUTE, "c"), ProblemType.UPSTREAM_SATURATED);
		assertThat(sessions("error")).as("the first ended with no close noted").isEqualTo(1);
	}

	@Test
	void drainClosesEveryOpenSocketAtBothEndsWithGoingAwayAndRefusesNewOnes() {
		WebSocketSessions sessions = sessions(new WebSocketProperties(null, null, null, DataSize.ofKilobytes(64)));
		Ends one = new Ends();
		Ends two = new Ends();
		WebSocketSessions.Lease first = sessions.admit(ROUTE, "a");
		first.start(one::client);
		first.upstream(one::upstream);
		WebSocketSessions.Lease second = sessions.admit(ROUTE, "b");
		second.start(two::client);

		sessions.goAway().block(Duration.ofSeconds(1));
		assertThat(one.closed).containsExactly(WebSocketSessions.DRAINED, WebSocketSessions.DRAINED);
		assertThat(two.closed).containsExactly(WebSocketSessions.DRAINED);
		assertThat(WebSocketSessions.DRAINED.getCode()).isEqualTo(1001);
		assertThat(WebSocketSessions.DRAINED.getReason()).isEqualTo("going away");
		// The upstream of the second connects only now: it is closed at once.
		second.upstream(two::upstream);
		assertThat(two.closed).containsExactly(WebSocketSessions.DRAINED, WebSocketSessions.DRAINED);
		assertRefused(() -> sessions.admit(ROUTE, "c"), ProblemType.UPSTREAM_SATURATED);

		first.endedBy("client");
		first.end();
		assertThat(sessions("drain")).isEqualTo(1);
	}

	@Test
	void nonPositiveSettingsAreRefused() {
		assertThatThrownBy(() -> new WebSocketProperties(Duration.ZERO, null, null, null))
			.hasMessageContaining("gateway.websocket.idle-timeout");
		assertThatThrownBy(() -> new WebSocketProperties(null, 0, null, null))
			.hasMessageContaining("gateway.websocket.max-connections");
		assertThatThrownBy(() -> new WebSocketProperties(null, null, -1, null))
			.hasMessageContaining("gateway.websocket.max-connections-per-caller");
	}

	private WebSocketSessions sessions(WebSocketProperties properties) {
		return new WebSocketSessions(properties, meters, time);
	}

	private double connections() {
		return meters.get("gateway.websocket.connections").tag("route", ROUTE).gauge().value();
	}

	private double sessions(String close) {
		var counter = meters.find("gateway.websocket.sessions").tag("route", ROUTE).tag("close", close).counter();
		return counter == null ? 0 : counter.count();
	}

	private static void assertRefused(Runnable admit, ProblemType type) {
		assertThatThrownBy(admit::run).isInstanceOfSatisfying(ProblemException.class, refused -> {
			assertThat(refused.problemType()).isEqualTo(type);
			assertThat(refused.retryAfterSeconds()).isEqualTo(5L);
		});
	}

	/** The two ends of a socket: what each was closed with. */
	private static final class Ends {

		private final List<CloseStatus> closed = new CopyOnWriteArrayList<>();

		private volatile boolean upstreamClosed;

		Mono<Void> client(CloseStatus status) {
			return Mono.fromRunnable(() -> closed.add(status));
		}

		Mono<Void> upstream(CloseStatus status) {
			return Mono.fromRunnable(() -> {
				upstreamClosed = true;
				closed.add(status);
			});
		}

	}

}
