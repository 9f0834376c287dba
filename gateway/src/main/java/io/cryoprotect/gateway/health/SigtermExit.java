package io.cryoprotect.gateway.health;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import sun.misc.Signal;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Makes SIGTERM a clean, drained exit with status 0. The JVM's default would run the
 * shutdown hooks (which drain too) but exit with 143, which orchestrators and process
 * supervisors report as a failure.
 */
public final class SigtermExit {

	private static final Log logger = LogFactory.getLog(SigtermExit.class);

	private SigtermExit() {
	}

	public static void install(ConfigurableApplicationContext context) {
		Signal.handle(new Signal("TERM"), signal -> {
			Thread drain = new Thread(() -> {
				logger.info("SIGTERM received: draining");
				System.exit(SpringApplication.exit(context));
			}, "sigterm-drain");
			drain.start();
		});
	}

}
