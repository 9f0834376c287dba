package io.cryoprotect.gateway.edge;

/**
 * One pass over the raw request path that refuses what could escape a route's prefix or
 * confuse an upstream's path parser: dot segments (also percent-encoded), encoded
 * slashes, backslashes and NUL, matrix parameters, control characters, malformed
 * percent-encoding, and bytes that are not valid UTF-8.
 */
final class PathSafety {

	private PathSafety() {
	}

	/** Returns null for a safe path, otherwise what is wrong with it. */
	static String check(String rawPath) {
		if (rawPath == null || rawPath.isEmpty()) {
			return null;
		}
		int n = rawPath.length();
		int segmentLength = 0;
		int segmentDots = 0;
		int continuationBytes = 0;
		for (int i = 0; i <= n; i++) {
			if (i == n || rawPath.charAt(i) == '/') {
				if (continuationBytes != 0) {
					return "percent-encoded bytes are not valid UTF-8";
				}
				if (segmentLength > 0 && segmentLength == segmentDots && segmentLength <= 2) {
					return "dot segments ('.' or '..') are not allowed";
				}
				segmentLength = 0;
				segmentDots = 0;
				continue;
			}
			int c = rawPath.charAt(i);
			if (c == '%') {
				int hi = i + 2 < n ? Character.digit(rawPath.charAt(i + 1), 16) : -1;
				int lo = i + 2 < n ? Character.digit(rawPath.charAt(i + 2), 16) : -1;
				if (hi < 0 || lo < 0) {
					return "malformed percent-encoding";
				}
				c = hi * 16 + lo;
				i += 2;
				if (c == '/' || c == '\\' || c == 0) {
					return "encoded slash, backslash or NUL";
				}
			}
			else if (c == '\\' || c == ';') {
				return "backslashes and ';' parameters are not allowed";
			}
			else if (c > 0x7e) {
				return "non-ASCII characters must be percent-encoded";
			}
			if (c < 0x20 || c == 0x7f) {
				return "control characters are not allowed";
			}
			if (continuationBytes > 0) {
				if ((c & 0xC0) != 0x80) {
					return "percent-encoded bytes are not valid UTF-8";
				}
				continuationBytes--;
			}
			else if (c >= 0x80) {
				continuationBytes = c >= 0xC2 && c <= 0xDF ? 1
						: c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : -1;
				if (continuationBytes < 0) {
					return "percent-encoded bytes are not valid UTF-8";
				}
			}
			segmentLength++;
			if (c == '.') {
				segmentDots++;
			}
		}
		return null;
	}

}
