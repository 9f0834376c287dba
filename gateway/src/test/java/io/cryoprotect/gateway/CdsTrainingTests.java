package io.cryoprotect.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.cryoprotect.gateway.support.StubUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The training run of the class archive, as its own JVM (it exits by design): it becomes
 * ready, sends one routed request through the gateway to the upstream, and exits with
 * status 0.
 */
@Tag("slow")
class CdsTrainingTests {

	private final StubUpstream flask = new StubUpstream("training-flask");

	private Process process;

	@AfterEach
	void stop() {
		if (process != null && process.isAlive()) {
			process.destroyForcibly();
		}
		flask.close();
	}

	@Test
	void trainingRunServesOneRequestThenExitsCleanly() throws Exception {
		Path log = Files.createTempFile("cds-training", ".log");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		// Surefire's class path (a manifest-only jar) serves the child JVM as well.
		ProcessBuilder builder = new ProcessBuilder(java, "-Dgateway.cds-training=true", "-cp",
				System.getProperty("java.class.path"), GatewayApplication.class.getName(), "--server.port=0",
				"--management.server.port=0", "--gateway.drain.delay=0s",
				"--gateway.routing.dir=" + Path.of("..", "routes"),
				"--gateway.filters-conf.dir=" + Path.of("..", "filters-conf"))
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		builder.environment().put("FLASK_BLUE_URL", flask.url());
		builder.environment().put("FLASK_GREEN_URL", flask.url());
		process = builder.start();

		boolean exited = process.waitFor(90, TimeUnit.SECONDS);
		String output = Files.readString(log);
		assertThat(exited).as("training run exits by itself; output:%n%s", output).isTrue();
		assertThat(process.exitValue()).as("exit status; output:%n%s", output).isZero();
		assertThat(flask.received()).extracting(StubUpstream.Received::uri).containsExactly("/api/v1/molecules");
		assertThat(output).contains("CDS training: GET http://127.0.0.1:")
			.contains("/actuator/health/liveness answered 200");
		Files.delete(log);
	}

}
