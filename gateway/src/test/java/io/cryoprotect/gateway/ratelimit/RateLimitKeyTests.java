package io.cryoprotect.gateway.ratelimit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Anonymous callers' bucket keys: an IPv4 address as it is, an IPv6 address by its /64.
 */
class RateLimitKeyTests {

	@Test
	void ipv4AddressIsItsOwnKey() {
		assertThat(RateLimitFilter.ipKey("203.0.113.7")).isEqualTo("203.0.113.7");
	}

	@Test
	void ipv6AddressesShareTheKeyOfTheirSlash64() {
		assertThat(RateLimitFilter.ipKey("2001:db8:85a3:8d3:1319:8a2e:370:7348")).isEqualTo("2001:0db8:85a3:08d3::/64");
		assertThat(RateLimitFilter.ipKey("2001:db8:85a3:8d3::1")).isEqualTo("2001:0db8:85a3:08d3::/64");
		assertThat(RateLimitFilter.ipKey("2001:db8:85a3:8d4::1")).isEqualTo("2001:0db8:85a3:08d4::/64");
		assertThat(RateLimitFilter.ipKey("::1")).isEqualTo("0000:0000:0000:0000::/64");
	}

	@Test
	void ipv4MappedIpv6AddressIsKeyedAsGiven() {
		// The JDK parses it as the IPv4 address it maps; it is not a /64 of its own.
		assertThat(RateLimitFilter.ipKey("::ffff:192.0.2.1")).isEqualTo("::ffff:192.0.2.1");
	}

}
