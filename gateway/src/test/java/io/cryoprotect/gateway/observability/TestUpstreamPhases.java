package io.cryoprotect.gateway.observability;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * For tests outside this package: the upstream timing hooks on a registry of the test's
 * own, so that a real {@code UpstreamClients} can be built without starting a gateway.
 */
public final class TestUpstreamPhases {

	private TestUpstreamPhases() {
	}

	public static UpstreamPhases create(MeterRegistry meters) {
		return new UpstreamPhases(new RequestMetrics(meters));
	}

}
