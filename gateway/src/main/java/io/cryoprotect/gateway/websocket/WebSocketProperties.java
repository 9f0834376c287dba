package io.cryoprotect.gateway.websocket;

import java.time.Duration;
import java.util.Objects;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * WebSockets proxied on routes with {@code websocket: true}
 * ({@code gateway.websocket.*}).
 *
 * @param idleTimeout a socket with no frame either way for this long is closed (1001);
 * default 5 min, well above the 60 s after which Convex's client gives up on a silent
 * server and reconnects
 * @param maxConnections open sockets in total; default 10000; beyond it an upgrade gets
 * 503
 * @param maxConnectionsPerCaller open sockets per caller (the verified user, else the
 * client address); default 100, since browsers behind one NAT share an address; beyond it
 * an upgrade gets 429
 * @param maxFrameSize largest frame payload relayed either way; default 16 MB (Convex's
 * largest function result); a larger frame closes the socket with 1009
 */
@ConfigurationProperties("gateway.websocket")
public record WebSocketProperties(Duration idleTimeout, Integer maxConnections, Integer maxConnectionsPerCaller,
		DataSize maxFrameSize) {

	public WebSocketProperties {
		idleTimeout = idleTimeout == null ? Duration.ofMinutes(5) : idleTimeout;
		maxConnections = Objects.requireNonNullElse(maxConnections, 10000);
		maxConnectionsPerCaller = Objects.requireNonNullElse(maxConnectionsPerCaller, 100);
		maxFrameSize = maxFrameSize == null ? DataSize.ofMegabytes(16) : maxFrameSize;
		positive("idle-timeout", idleTimeout.toMillis());
		positive("max-connections", maxConnections);
		positive("max-connections-per-caller", maxConnectionsPerCaller);
		positive("max-frame-size", maxFrameSize.toBytes());
		if (maxFrameSize.toBytes() > Integer.MAX_VALUE) {
			throw new IllegalArgumentException(
					"gateway.websocket.max-frame-size must be below 2GB but was " + maxFrameSize);
		}
	}

	private static void positive(String name, long value) {
		if (value <= 0) {
			throw new IllegalArgumentException("gateway.websocket." + name + " must be positive but was " + value);
		}
	}

}
