package io.cryoprotect.gateway.proxy;

import java.time.Duration;

/**
 * One upstream colour's connection pool: its size, pending-acquire queue and connection
 * lifetimes.
 */
public record PoolSettings(int maxConnections, int pendingAcquireMaxCount, Duration pendingAcquireTimeout,
		Duration maxIdleTime, Duration maxLifeTime, Duration evictionInterval) {
}
