package io.cryoprotect.gateway.routing;

/**
 * Maps a caller key to a bucket with a well-mixed 64-bit hash (FNV-1a, then the
 * MurmurHash3 finaliser), without allocating. The salt (the route file's service name)
 * keeps one caller on the same colour across all routes of a service. Feature flags reuse
 * the same hash.
 */
public final class StickyHash {

	private static final long FNV_OFFSET = 0xcbf29ce484222325L;

	private static final long FNV_PRIME = 0x100000001b3L;

	private StickyHash() {
	}

	public static int bucket(String salt, CharSequence key, int buckets) {
		long h = FNV_OFFSET;
		for (int i = 0; i < salt.length(); i++) {
			h = (h ^ salt.charAt(i)) * FNV_PRIME;
		}
		h = (h ^ ':') * FNV_PRIME;
		for (int i = 0; i < key.length(); i++) {
			h = (h ^ key.charAt(i)) * FNV_PRIME;
		}
		h ^= h >>> 33;
		h *= 0xff51afd7ed558ccdL;
		h ^= h >>> 33;
		h *= 0xc4ceb9fe1a85ec53L;
		h ^= h >>> 33;
		return (int) Long.remainderUnsigned(h, buckets);
	}

}
