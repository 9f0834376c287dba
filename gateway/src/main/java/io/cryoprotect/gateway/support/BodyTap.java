package io.cryoprotect.gateway.support;

import java.util.function.Consumer;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Watches a response body on its way out without changing its shape. A body given as a
 * {@link Mono} stays one: Reactor Netty writes a single-buffer body together with the
 * response headers in one write, where a {@link Flux} body is written after the headers,
 * separately.
 */
public final class BodyTap {

	private BodyTap() {
	}

	/** The body, calling {@code each} per buffer and {@code end} when it completes. */
	public static <T> Publisher<T> tap(Publisher<T> body, Consumer<? super T> each, Runnable end) {
		if (body instanceof Mono<T> mono) {
			return mono.doOnNext(each).doOnSuccess(ignored -> end.run());
		}
		return Flux.from(body).doOnNext(each).doOnComplete(end);
	}

	/** The body, calling {@code each} per buffer. */
	public static <T> Publisher<T> tap(Publisher<T> body, Consumer<? super T> each) {
		return body instanceof Mono<T> mono ? mono.doOnNext(each) : Flux.from(body).doOnNext(each);
	}

}
