package io.cryoprotect.gateway.support;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * IP literals parse to their bytes as the JDK's would, and nothing else parses (no name
 * is ever resolved).
 */
class IpLiteralTests {

	@Test
	void ipv4AndIpv6LiteralsGiveTheirBytes() {
		assertThat(IpLiteral.bytes("192.0.2.1")).containsExactly(192, 0, 2, 1);
		assertThat(IpLiteral.bytes("2001:db8::1")).containsExactly(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				0, 1);
		assertThat(IpLiteral.bytes("[2001:db8::1]")).isEqualTo(IpLiteral.bytes("2001:db8::1"));
		assertThat(IpLiteral.bytes("fe80::1%eth0")).isEqualTo(IpLiteral.bytes("fe80::1"));
	}

	@Test
	void ipv4MappedAddressGivesItsIpv4Bytes() {
		assertThat(IpLiteral.bytes("::ffff:192.0.2.1")).containsExactly(192, 0, 2, 1);
		assertThat(IpLiteral.bytes("::ffff:c000:201")).containsExactly(192, 0, 2, 1);
		assertThat(IpLiteral.bytes("::1:ffff:c000:201")).hasSize(16);
	}

	@Test
	void anythingElseIsNoLiteral() {
		assertThat(IpLiteral.bytes(null)).isNull();
		assertThat(IpLiteral.bytes("")).isNull();
		assertThat(IpLiteral.bytes("localhost")).isNull();
		assertThat(IpLiteral.bytes("evil.example.org")).isNull();
		assertThat(IpLiteral.bytes("192.0.2")).isNull();
		assertThat(IpLiteral.bytes("256.0.2.1")).isNull();
		assertThat(IpLiteral.bytes("192.0.2.1:4711")).isNull();
		assertThat(IpLiteral.bytes("2001:db8::1::2")).isNull();
	}

}
