package io.cryoprotect.gateway.edge;

/**
 * The syntax of a {@code Host} header value (RFC 9110 section 7.2, RFC 3986 section
 * 3.2.2): {@code host[:port]}, the host a registered name (letters, digits, {@code -._~},
 * sub-delims, percent-encodings), an IPv4 address, or an IPv6 literal in brackets; the
 * port digits. An empty value, as NGINX does, is not accepted: a client that names no
 * host has nothing to route by.
 */
final class HostHeader {

	private HostHeader() {
	}

	static boolean isValid(CharSequence value) {
		int length = value.length();
		if (length == 0) {
			return false;
		}
		int i;
		if (value.charAt(0) == '[') {
			i = 1;
			while (i < length && isIpLiteral(value.charAt(i))) {
				i++;
			}
			if (i == 1 || i >= length || value.charAt(i) != ']') {
				return false;
			}
			i++;
		}
		else {
			i = 0;
			while (i < length && value.charAt(i) != ':') {
				char c = value.charAt(i);
				if (c == '%') {
					if (i + 2 >= length || !isHex(value.charAt(i + 1)) || !isHex(value.charAt(i + 2))) {
						return false;
					}
					i += 2;
				}
				else if (!isRegName(c)) {
					return false;
				}
				i++;
			}
			if (i == 0) {
				return false;
			}
		}
		if (i == length) {
			return true;
		}
		if (value.charAt(i) != ':' || length - i - 1 > 5) {
			return false;
		}
		for (i++; i < length; i++) {
			if (value.charAt(i) < '0' || value.charAt(i) > '9') {
				return false;
			}
		}
		return true;
	}

	private static boolean isRegName(char c) {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
				|| "-._~!$&'()*+,;=".indexOf(c) >= 0;
	}

	private static boolean isIpLiteral(char c) {
		return isHex(c) || c == ':' || c == '.';
	}

	private static boolean isHex(char c) {
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
	}

}
