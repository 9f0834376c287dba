package io.cryoprotect.gateway.support;

import java.util.List;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The stub upstreams of a test JVM, started once and shared by every gateway the tests
 * start.
 */
public final class TestUpstreams {

	public static final StubUpstream FLASK_BLUE = new StubUpstream("flask-blue");

	public static final StubUpstream FLASK_GREEN = new StubUpstream("flask-green");

	public static final StubUpstream RDKIT = new StubUpstream("rdkit");

	public static final StubUpstream CONVEX = new StubUpstream("convex");

	private TestUpstreams() {
	}

	/** The secret the gateway sends to RDKit as {@code X-API-Key}. */
	public static final String RDKIT_API_KEY = "test-rdkit-secret";

	/**
	 * Points the route files' URL placeholders at the stubs and gives the gateway its
	 * RDKit key.
	 */
	public static void register(DynamicPropertyRegistry registry) {
		registry.add("RDKIT_API_KEY", () -> RDKIT_API_KEY);
		registry.add("FLASK_BLUE_URL", FLASK_BLUE::url);
		registry.add("FLASK_GREEN_URL", FLASK_GREEN::url);
		registry.add("RDKIT_URL", RDKIT::url);
		registry.add("CONVEX_URL", CONVEX::url);
	}

	public static void resetAll() {
		List.of(FLASK_BLUE, FLASK_GREEN, RDKIT, CONVEX).forEach(StubUpstream::reset);
	}

}
