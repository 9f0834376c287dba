package io.cryoprotect.gateway.support;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.channel.EventLoop;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;

import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * The Netty event loop that serves a request's connection, for work that should stay on
 * it: answers from other threads hop back to it, and per-request timers are armed on it.
 * A timer on the loop is a lock-free insert into the loop's own queue, where Reactor's
 * default timer scheduler takes a lock shared by every request and wakes another thread
 * when it fires.
 */
public final class RequestLoop {

	private static final Map<EventLoop, Scheduler> SCHEDULERS = new ConcurrentHashMap<>();

	private RequestLoop() {
	}

	/** The event loop of the request's connection, or null off Reactor Netty. */
	private static EventLoop of(ServerWebExchange exchange) {
		Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
		return nativeRequest instanceof Connection connection ? connection.channel().eventLoop() : null;
	}

	/**
	 * A scheduler on the request's event loop (one per loop, created once), for its
	 * timeouts and to hop back onto it; Reactor's parallel scheduler off Reactor Netty.
	 */
	public static Scheduler scheduler(ServerWebExchange exchange) {
		EventLoop loop = of(exchange);
		if (loop == null) {
			return Schedulers.parallel();
		}
		Scheduler scheduler = SCHEDULERS.get(loop);
		return scheduler != null ? scheduler
				: SCHEDULERS.computeIfAbsent(loop, l -> Schedulers.fromExecutorService(l, "request-loop"));
	}

}
