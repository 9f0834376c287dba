package io.cryoprotect.gateway;

import io.cryoprotect.gateway.health.SigtermExit;
import reactor.netty.ReactorNetty;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Entry point of the CryoProtect API gateway. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

	public static void main(String[] args) {
		// One event loop per core, as NGINX's worker_processes auto or Envoy's --concurrency, where Reactor Netty
		// starts at least 4: the gateway never blocks a loop, and on 2 cores 2 loops measured 6% less CPU per
		// request (bench/NOTES.md, session 5). -Dreactor.netty.ioWorkerCount=N still decides.
		if (System.getProperty(ReactorNetty.IO_WORKER_COUNT) == null) {
			System.setProperty(ReactorNetty.IO_WORKER_COUNT, Integer.toString(Runtime.getRuntime().availableProcessors()));
		}
		SigtermExit.install(SpringApplication.run(GatewayApplication.class, args));
	}

}
