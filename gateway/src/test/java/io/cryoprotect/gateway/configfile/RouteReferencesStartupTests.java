package io.cryoprotect.gateway.configfile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Routes and policies load on separate threads, in no fixed order: a policy loaded before
 * the first route set is live is neither applied nor rejected, and is checked as soon as
 * the route set is. A policy here is a file of route ids, one a line, read from a real
 * directory.
 */
class RouteReferencesStartupTests {

	private static final String FILE = "policy.txt";

	@TempDir
	Path dir;

	private final LiveRouteIds routeIds = new LiveRouteIds();

	private ConfigReloader<List<String>> reloader;

	@AfterEach
	void stop() {
		reloader.destroy();
	}

	private void start(String policy) throws IOException {
		Files.writeString(dir.resolve(FILE), policy);
		reloader = new ConfigReloader<>("policy", dir.toString(), Duration.ofHours(1), FILE::equals,
				files -> files.contents().get(FILE).lines().toList(), routeIds,
				names -> names.stream().map(RouteReferencesStartupTests::reference).toList(), value -> {
				}, new SimpleMeterRegistry(), Clock.systemUTC());
		reloader.afterPropertiesSet();
		reloader.start();
	}

	/** A line is a route id, or {@code service NAME}. */
	private static RouteReference reference(String line) {
		return line.startsWith("service ") ? new RouteReference(FILE, "upstreams", line.substring("service ".length()),
				RouteReference.Kind.SERVICE) : new RouteReference(FILE, "routes", line);
	}

	@Test
	void aPolicyLoadedBeforeTheFirstRouteSetWaitsForItThenApplies() throws IOException {
		start("api\nrdkit\n");

		assertThat(reloader.live()).isNull();
		assertThat(reloader.lastRejection()).isNull();
		assertThat(reloader.waitingForRoutes()).isTrue();

		routeIds.publish(Set.of("api", "rdkit", "convex"), Set.of());

		assertThat(reloader.waitingForRoutes()).isFalse();
		assertThat(reloader.live().value()).containsExactly("api", "rdkit");
		assertThat(reloader.rejectedCount()).isZero();
	}

	@Test
	void aPolicyWaitingForTheFirstRouteSetIsRejectedWhenThatSetLacksItsRoutesAndAppliesWhenTheyArrive()
			throws IOException {
		start("api\nrdkit\n");

		routeIds.publish(Set.of("api"), Set.of());

		assertThat(reloader.live()).isNull();
		assertThat(reloader.lastRejection().problems())
			.containsExactly(new ConfigProblem(FILE, "routes", "rdkit", "no route with this id in routes/"));

		routeIds.publish(Set.of("api", "convex"), Set.of());
		assertThat(reloader.rejectedCount()).as("the same verdict on the same version is not counted again")
			.isEqualTo(1);

		routeIds.publish(Set.of("api", "rdkit"), Set.of());
		assertThat(reloader.live().value()).containsExactly("api", "rdkit");
		assertThat(reloader.appliedCount()).isEqualTo(1);
	}

	@Test
	void aServiceIsCheckedAgainstTheNamesOfTheRouteFilesNotTheRouteIds() throws IOException {
		start("api\nservice rdkit\n");

		routeIds.publish(Set.of("api", "rdkit"), Set.of("flask-api"));
		assertThat(reloader.live()).isNull();
		assertThat(reloader.lastRejection().problems())
			.containsExactly(new ConfigProblem(FILE, "upstreams", "rdkit", "no route file of this name in routes/"));

		routeIds.publish(Set.of("api"), Set.of("flask-api", "rdkit"));
		assertThat(reloader.live().value()).containsExactly("api", "service rdkit");
	}

}
