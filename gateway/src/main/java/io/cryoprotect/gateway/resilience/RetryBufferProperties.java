package io.cryoprotect.gateway.resilience;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Memory for request bodies held for retry ({@code gateway.resilience.retry-buffer.*}).
 *
 * @param maxBytes bytes of request bodies held for retry by all requests together;
 * default 64 MB, a fifth of the heap of a 512 MiB container; a body that does not fit is
 * sent once, uncached and never retried; 0 caches none
 */
@ConfigurationProperties("gateway.resilience.retry-buffer")
public record RetryBufferProperties(DataSize maxBytes) {

	public RetryBufferProperties {
		maxBytes = maxBytes == null ? DataSize.ofMegabytes(64) : maxBytes;
		if (maxBytes.isNegative()) {
			throw new IllegalArgumentException(
					"gateway.resilience.retry-buffer.max-bytes must not be negative but was " + maxBytes);
		}
	}

}
