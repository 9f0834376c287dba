package io.cryoprotect.gateway.identity;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires client address resolution, token verification and the identity headers upstreams
 * receive.
 */
@Configuration(proxyBeanMethods = false)
class IdentityConfiguration {

	@Bean
	ClientAddressWebFilter clientAddressWebFilter(IdentityProperties properties) {
		return new ClientAddressWebFilter(TrustedProxies.of(properties.trustedProxies()));
	}

	@Bean
	IdentityHeaderContributor upstreamIdentityHeadersFilter(IdentityProperties properties) {
		return new IdentityHeaderContributor(properties);
	}

	@Bean
	JwtIdentityFilter jwtIdentityFilter(IdentityProperties properties) {
		return new JwtIdentityFilter(new JwtVerifier(properties.jwt(), Clock.systemUTC()),
				properties.authenticatedEndpoints());
	}

}
