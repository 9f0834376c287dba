package io.cryoprotect.gateway.identity;

import java.util.ArrayList;
import java.util.List;

import io.cryoprotect.gateway.support.IpLiteral;

/**
 * The proxies whose {@code X-Forwarded-For}/{@code Forwarded} headers are believed, as
 * CIDR blocks ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a single address). Literal
 * addresses only: nothing here ever triggers a DNS lookup.
 */
public final class TrustedProxies {

	private record Block(byte[] network, int prefix) {

		boolean contains(byte[] address) {
			if (address.length != network.length) {
				return false;
			}
			int full = prefix / 8;
			for (int i = 0; i < full; i++) {
				if (address[i] != network[i]) {
					return false;
				}
			}
			int rest = prefix % 8;
			if (rest == 0) {
				return true;
			}
			int mask = 0xFF << (8 - rest);
			return (address[full] & mask) == (network[full] & mask);
		}

	}

	private final List<Block> blocks;

	private TrustedProxies(List<Block> blocks) {
		this.blocks = blocks;
	}

	/** Parses CIDR blocks; an invalid one fails with its value named. */
	public static TrustedProxies of(List<String> cidrs) {
		List<Block> blocks = new ArrayList<>();
		for (String cidr : cidrs) {
			String trimmed = cidr.trim();
			if (trimmed.isEmpty()) {
				continue;
			}
			int slash = trimmed.indexOf('/');
			String host = slash < 0 ? trimmed : trimmed.substring(0, slash);
			byte[] network = IpLiteral.bytes(host);
			if (network == null) {
				throw new IllegalArgumentException(
						"gateway.identity.trusted-proxies: '" + cidr + "' is not an IP address or CIDR block");
			}
			int prefix;
			try {
				prefix = slash < 0 ? network.length * 8 : Integer.parseInt(trimmed.substring(slash + 1));
			}
			catch (NumberFormatException ex) {
				prefix = -1;
			}
			if (prefix < 0 || prefix > network.length * 8) {
				throw new IllegalArgumentException(
						"gateway.identity.trusted-proxies: '" + cidr + "' has an invalid prefix length");
			}
			blocks.add(new Block(network, prefix));
		}
		return new TrustedProxies(List.copyOf(blocks));
	}

	public boolean isEmpty() {
		return blocks.isEmpty();
	}

	public boolean contains(String address) {
		byte[] bytes = IpLiteral.bytes(address);
		if (bytes == null) {
			return false;
		}
		for (Block block : blocks) {
			if (block.contains(bytes)) {
				return true;
			}
		}
		return false;
	}

}
