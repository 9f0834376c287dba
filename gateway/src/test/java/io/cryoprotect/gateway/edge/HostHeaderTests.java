package io.cryoprotect.gateway.edge;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class HostHeaderTests {

	@ParameterizedTest
	@ValueSource(strings = { "api.cryoprotect.io", "api.cryoprotect.io:443", "127.0.0.1", "127.0.0.1:8080", "[::1]",
			"[::1]:8080", "[2001:db8::1]", "localhost:", "gw-1.internal", "%41pi.example", "a_b.example" })
	void acceptsHostAndPort(String value) {
		assertThat(HostHeader.isValid(value)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", ":80", "exa mple.com", "a/b", "a@b", "host:80:80", "host:8o", "host:123456", "[::1",
			"[]", "[::1]x", "[::1]:x", "%4", "%zz.example", "host\\name" })
	void rejectsAnythingElse(String value) {
		assertThat(HostHeader.isValid(value)).isFalse();
	}

}
