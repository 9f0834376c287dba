package io.cryoprotect.gateway;

import java.util.Arrays;

import io.cryoprotect.gateway.health.SigtermExit;
import io.cryoprotect.gateway.ops.SmokeCommand;
import io.cryoprotect.gateway.ops.ValidateCommand;
import reactor.netty.ReactorNetty;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationExcludeFilter;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;

/**
 * Entry point of the CryoProtect API gateway. {@code @SpringBootApplication} spelled out,
 * to keep the management port's own configuration (imported into its child context only)
 * out of the component scan.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@ComponentScan(excludeFilters = { @ComponentScan.Filter(type = FilterType.CUSTOM, classes = TypeExcludeFilter.class),
		@ComponentScan.Filter(type = FilterType.CUSTOM, classes = AutoConfigurationExcludeFilter.class),
		@ComponentScan.Filter(type = FilterType.ANNOTATION, classes = ManagementContextConfiguration.class) })
@ConfigurationPropertiesScan
public class GatewayApplication {

	public static void main(String[] args) {
		if (args.length > 0 && args[0].equals("validate")) {
			System.exit(ValidateCommand.run(Arrays.asList(args).subList(1, args.length), System.out, System.err));
		}
		if (args.length > 0 && args[0].equals("smoke")) {
			System.exit(SmokeCommand.run(Arrays.asList(args).subList(1, args.length), System.out, System.err));
		}
		// One event loop per core, as NGINX's worker_processes auto or Envoy's
		// --concurrency, where Reactor Netty
		// starts at least 4: the gateway never blocks a loop, and on 2 cores 2 loops
		// measured 6% less CPU per
		// request (bench/NOTES.md, tuning decisions of 2026-12-01, runs 12-13).
		// -Dreactor.netty.ioWorkerCount=N
		// still decides.
		if (System.getProperty(ReactorNetty.IO_WORKER_COUNT) == null) {
			System.setProperty(ReactorNetty.IO_WORKER_COUNT,
					Integer.toString(Runtime.getRuntime().availableProcessors()));
		}
		SigtermExit.install(SpringApplication.run(GatewayApplication.class, args));
	}

}
