package io.cryoprotect.gateway;

import io.cryoprotect.gateway.health.SigtermExit;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Entry point of the CryoProtect API gateway. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

	public static void main(String[] args) {
		SigtermExit.install(SpringApplication.run(GatewayApplication.class, args));
	}

}
