package io.cryoprotect.gateway.edge;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * Gives the management port's server the same timeouts, strict decoding and keep-alive
 * handling as the public port. Its child context builds a bare
 * {@link NettyReactiveWebServerFactory} that none of the main context's
 * {@code NettyServerCustomizer} beans reach; this configuration is imported into that
 * child only (listed in
 * {@code META-INF/spring/...ManagementContextConfiguration.imports}, kept out of the
 * component scan).
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
class ManagementServerConfiguration {

	@Bean
	WebServerFactoryCustomizer<NettyReactiveWebServerFactory> managementServerCustomizer(EdgeProperties properties,
			ClientErrors clientErrors) {
		return factory -> factory.addServerCustomizers(new EdgeServerCustomizer(properties, clientErrors));
	}

}
