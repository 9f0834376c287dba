package io.cryoprotect.gateway.support;

import java.util.Arrays;

import io.netty.util.NetUtil;

/**
 * IP address literals, parsed with Netty's {@link NetUtil}: nothing here ever resolves a
 * host name.
 */
public final class IpLiteral {

	private IpLiteral() {
	}

	/**
	 * The bytes of an IPv4 or IPv6 literal (brackets allowed), or null for anything else.
	 * An IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}) gives the 4 bytes of its
	 * IPv4 address, as {@link java.net.InetAddress} does.
	 */
	public static byte[] bytes(String text) {
		byte[] bytes = text == null ? null : NetUtil.createByteArrayFromIpAddressString(text);
		return bytes != null && ipv4Mapped(bytes) ? Arrays.copyOfRange(bytes, 12, 16) : bytes;
	}

	private static boolean ipv4Mapped(byte[] bytes) {
		if (bytes.length != 16 || bytes[10] != (byte) 0xff || bytes[11] != (byte) 0xff) {
			return false;
		}
		for (int i = 0; i < 10; i++) {
			if (bytes[i] != 0) {
				return false;
			}
		}
		return true;
	}

}
