package io.cryoprotect.gateway.edge;

import io.netty.channel.Channel;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * When the client's request body has arrived whole, as {@link RequestReadGuard} sees it
 * on the connection. Until then the time a request takes is the client's, bounded by the
 * edge's read and request timeouts; an upstream deadline starts counting once the body is
 * in, as Envoy's route timeout does from the end of the downstream request, so that a
 * client trickling its body is answered 408 for its own slowness, never 504 for the
 * upstream's.
 */
public final class RequestBodyArrival {

	private RequestBodyArrival() {
	}

	/**
	 * {@code timer}, subscribed once the request's body has arrived whole: at once for a
	 * request without one.
	 */
	public static <T> Mono<T> after(ServerWebExchange exchange, Mono<T> timer) {
		ServerHttpRequest request = exchange.getRequest();
		HttpHeaders headers = request.getHeaders();
		if (headers.getContentLength() <= 0 && !headers.containsHeader(HttpHeaders.TRANSFER_ENCODING)) {
			return timer;
		}
		if (!(ServerHttpRequestDecorator.getNativeRequest(request) instanceof Connection connection)) {
			return timer;
		}
		Channel channel = connection.channel();
		if (!(channel.pipeline().get(RequestReadGuard.NAME) instanceof RequestReadGuard guard)) {
			return timer;
		}
		if (channel.eventLoop().inEventLoop() && !guard.bodyPending()) {
			return timer;
		}
		return Mono.<Void>create(sink -> {
			if (channel.eventLoop().inEventLoop()) {
				guard.whenBodyArrived(sink);
			}
			else {
				channel.eventLoop().execute(() -> guard.whenBodyArrived(sink));
			}
		}).then(timer);
	}

}
