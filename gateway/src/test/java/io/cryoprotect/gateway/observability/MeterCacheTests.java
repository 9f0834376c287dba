package io.cryoprotect.gateway.observability;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A meter is registered once per distinct tag values, then found again. */
class MeterCacheTests {

	private record Key(String route, String cause) {
	}

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final AtomicInteger registrations = new AtomicInteger();

	private final MeterCache<Key, Counter> counters = new MeterCache<>(k -> {
		registrations.incrementAndGet();
		return Counter.builder("gateway.test").tags("route", k.route(), "cause", k.cause()).register(registry);
	});

	@Test
	void equalTagValuesFindTheMeterRegisteredFirst() {
		Counter first = counters.get(new Key("r1", "a"));
		first.increment();
		counters.get(new Key("r1", "a")).increment();
		counters.get(new Key("r1", "b")).increment();

		assertThat(counters.get(new Key("r1", "a"))).isSameAs(first);
		assertThat(registrations).hasValue(2);
		assertThat(registry.get("gateway.test").tags("route", "r1", "cause", "a").counter().count()).isEqualTo(2);
		assertThat(registry.get("gateway.test").tags("route", "r1", "cause", "b").counter().count()).isEqualTo(1);
	}

}
