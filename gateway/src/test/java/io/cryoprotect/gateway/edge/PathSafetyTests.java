package io.cryoprotect.gateway.edge;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The raw-path check that keeps requests inside their route's prefix. */
class PathSafetyTests {

	@Test
	void ordinaryPathsPass() {
		assertThat(PathSafety.check("/api/v1/molecules/3f1c9a52-7d4e")).isNull();
		assertThat(PathSafety.check("/rdkit/calculate-properties")).isNull();
		assertThat(PathSafety.check("/api/v1/a.b/..c/...")).isNull();
		assertThat(PathSafety.check("/api/v1/%C3%A9%E2%82%AC%F0%9F%A7%8A")).isNull();
		assertThat(PathSafety.check("/")).isNull();
	}

	@Test
	void dotSegmentsAreRejectedAlsoWhenEncoded() {
		assertThat(PathSafety.check("/a/../b")).isEqualTo("dot segments ('.' or '..') are not allowed");
		assertThat(PathSafety.check("/a/%2E%2e/b")).isEqualTo("dot segments ('.' or '..') are not allowed");
		assertThat(PathSafety.check("/a/.")).isEqualTo("dot segments ('.' or '..') are not allowed");
	}

	@Test
	void encodedSeparatorsAndNulAreRejected() {
		assertThat(PathSafety.check("/a%2Fb")).isEqualTo("encoded slash, backslash or NUL");
		assertThat(PathSafety.check("/a%5cb")).isEqualTo("encoded slash, backslash or NUL");
		assertThat(PathSafety.check("/a%00")).isEqualTo("encoded slash, backslash or NUL");
	}

	@Test
	void brokenEncodingAndInvalidUtf8AreRejected() {
		assertThat(PathSafety.check("/a%2")).isEqualTo("malformed percent-encoding");
		assertThat(PathSafety.check("/a%G1")).isEqualTo("malformed percent-encoding");
		assertThat(PathSafety.check("/a%C3%28")).isEqualTo("percent-encoded bytes are not valid UTF-8");
		assertThat(PathSafety.check("/a%C3/b")).isEqualTo("percent-encoded bytes are not valid UTF-8");
		assertThat(PathSafety.check("/a%FF")).isEqualTo("percent-encoded bytes are not valid UTF-8");
		assertThat(PathSafety.check("/a%0A")).isEqualTo("control characters are not allowed");
	}

	@Test
	void matrixParametersAndBackslashesAreRejected() {
		assertThat(PathSafety.check("/a;x=1")).isEqualTo("backslashes and ';' parameters are not allowed");
		assertThat(PathSafety.check("/a\\b")).isEqualTo("backslashes and ';' parameters are not allowed");
	}

}
