package io.cryoprotect.gateway.identity;

import java.net.InetSocketAddress;
import java.util.List;

import io.cryoprotect.gateway.support.RequestState;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Forwarding headers count only from trusted proxies, and only up to the first untrusted
 * hop (H8).
 */
class ClientAddressTests {

	private final ClientAddressWebFilter filter = new ClientAddressWebFilter(
			TrustedProxies.of(List.of("10.0.0.0/8", "2001:db8::/32")));

	private String clientOf(MockServerHttpRequest.BaseBuilder<?> request) {
		MockServerWebExchange exchange = MockServerWebExchange.from(request);
		filter.filter(exchange, e -> Mono.empty()).block();
		return RequestState.of(exchange).clientAddress();
	}

	@Test
	void untrustedPeerIsTheClientWhateverItClaims() {
		assertThat(clientOf(MockServerHttpRequest.get("/")
			.remoteAddress(new InetSocketAddress("203.0.113.9", 5000))
			.header("X-Forwarded-For", "198.51.100.1")
			.header("Forwarded", "for=198.51.100.2"))).isEqualTo("203.0.113.9");
	}

	@Test
	void trustedProxyReportsTheClient() {
		assertThat(clientOf(MockServerHttpRequest.get("/")
			.remoteAddress(new InetSocketAddress("10.1.2.3", 5000))
			.header("X-Forwarded-For", "198.51.100.7"))).isEqualTo("198.51.100.7");
	}

	@Test
	void spoofedLeftmostEntryIsIgnored() {
		// The client sent "X-Forwarded-For: 1.2.3.4"; the trusted proxy appended the real
		// address.
		assertThat(clientOf(MockServerHttpRequest.get("/")
			.remoteAddress(new InetSocketAddress("10.1.2.3", 5000))
			.header("X-Forwarded-For", "1.2.3.4, 198.51.100.7"))).isEqualTo("198.51.100.7");
	}

	@Test
	void chainOfTrustedProxiesIsWalkedBack() {
		assertThat(clientOf(MockServerHttpRequest.get("/")
			.remoteAddress(new InetSocketAddress("10.1.2.3", 5000))
			.header("X-Forwarded-For", "198.51.100.7, 10.9.9.9"))).isEqualTo("198.51.100.7");
	}

	@Test
	void forwardedHeaderWithPortAndIpv6IsRead() {
		assertThat(clientOf(MockServerHttpRequest.get("/")
			.remoteAddress(new InetSocketAddress("10.1.2.3", 5000))
			.header("Forwarded", "for=\"[2001:db9::1]:4711\";proto=https"))).isEqualTo("2001:db9::1");
		assertThat(clientOf(MockServerHttpRequest.get("/")
			.remoteAddress(new InetSocketAddress("10.1.2.3", 5000))
			.header("Forwarded", "for=192.0.2.60:4711"))).isEqualTo("192.0.2.60");
	}

	@Test
	void garbageHopStopsAtTheNearestTrustedProxy() {
		assertThat(clientOf(MockServerHttpRequest.get("/")
			.remoteAddress(new InetSocketAddress("10.1.2.3", 5000))
			.header("X-Forwarded-For", "evil.example.org"))).isEqualTo("10.1.2.3");
	}

	@Test
	void invalidCidrIsRefusedWithItsValue() {
		assertThatIllegalArgumentException().isThrownBy(() -> TrustedProxies.of(List.of("10.0.0.0/33")))
			.withMessage("gateway.identity.trusted-proxies: '10.0.0.0/33' has an invalid prefix length");
		assertThatIllegalArgumentException().isThrownBy(() -> TrustedProxies.of(List.of("lb.internal")))
			.withMessage("gateway.identity.trusted-proxies: 'lb.internal' is not an IP address or CIDR block");
	}

}
