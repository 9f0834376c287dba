package io.cryoprotect.gateway.edge;

import java.time.Duration;
import java.util.Objects;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Limits the public listener enforces before any route runs ({@code gateway.edge.*}).
 *
 * @param maxHeaderSize total size of all request header lines; default 16 KB; beyond it
 * 431
 * @param maxHeaderCount number of request header lines; default 100; beyond it 431
 * @param maxUrlLength length of path plus query; default 8192 characters; beyond it 414
 * @param maxBodySize body of a proxied request, by Content-Length or as streamed; default
 * 10 MB; beyond it 413
 * @param headerTimeout longest time to receive a request head (request line and headers),
 * from the connection's start or a later request's first byte; default 10 s, against slow
 * senders; beyond it 408 and closed
 * @param readTimeout longest silence while a request body is being read; default 10 s,
 * against slow senders
 * @param requestTimeout longest time to receive a whole request; default 60 s, against
 * slow bodies
 * @param idleTimeout how long an idle keep-alive connection is kept; default 60 s
 * @param responseBufferSize upstream responses with a {@code Content-Length} up to this
 * size are read whole and written to the client with their headers in one write; larger
 * ones stream; default 64 KB; 0 streams all
 */
@ConfigurationProperties("gateway.edge")
public record EdgeProperties(DataSize maxHeaderSize, Integer maxHeaderCount, Integer maxUrlLength, DataSize maxBodySize,
		Duration headerTimeout, Duration readTimeout, Duration requestTimeout, Duration idleTimeout,
		DataSize responseBufferSize) {

	public EdgeProperties {
		maxHeaderSize = maxHeaderSize == null ? DataSize.ofKilobytes(16) : maxHeaderSize;
		maxHeaderCount = Objects.requireNonNullElse(maxHeaderCount, 100);
		maxUrlLength = Objects.requireNonNullElse(maxUrlLength, 8192);
		maxBodySize = maxBodySize == null ? DataSize.ofMegabytes(10) : maxBodySize;
		headerTimeout = headerTimeout == null ? Duration.ofSeconds(10) : headerTimeout;
		readTimeout = readTimeout == null ? Duration.ofSeconds(10) : readTimeout;
		requestTimeout = requestTimeout == null ? Duration.ofSeconds(60) : requestTimeout;
		idleTimeout = idleTimeout == null ? Duration.ofSeconds(60) : idleTimeout;
		responseBufferSize = responseBufferSize == null ? DataSize.ofKilobytes(64) : responseBufferSize;
		positive("max-header-size", maxHeaderSize.toBytes());
		positive("max-header-count", maxHeaderCount);
		positive("max-url-length", maxUrlLength);
		positive("max-body-size", maxBodySize.toBytes());
		positive("header-timeout", headerTimeout.toMillis());
		positive("read-timeout", readTimeout.toMillis());
		positive("request-timeout", requestTimeout.toMillis());
		positive("idle-timeout", idleTimeout.toMillis());
		if (responseBufferSize.isNegative() || responseBufferSize.toBytes() > Integer.MAX_VALUE) {
			throw new IllegalArgumentException(
					"gateway.edge.response-buffer-size must be between 0 and 2GB but was " + responseBufferSize);
		}
	}

	private static void positive(String name, long value) {
		if (value <= 0) {
			throw new IllegalArgumentException("gateway.edge." + name + " must be positive but was " + value);
		}
	}

}
