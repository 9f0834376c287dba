package io.cryoprotect.gateway.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A real HTTP upstream on a free loopback port for tests. It answers JSON naming itself
 * in {@code X-Upstream}, records what it received, and can be switched to hold every
 * response until released (for drain tests).
 */
public final class StubUpstream implements AutoCloseable {

	/** What the stub saw of one request, including its exact body. */
	public record Received(String method, String uri, HttpHeaders headers, long bodyBytes, byte[] body) {

		public String bodyText() {
			return new String(body, StandardCharsets.UTF_8);
		}

	}

	private final String name;

	private final DisposableServer server;

	private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();

	private final AtomicLong bodyBytesTotal = new AtomicLong();

	private final AtomicReference<Sinks.Empty<Void>> hold = new AtomicReference<>();

	public StubUpstream(String name) {
		this.name = name;
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle((req, res) -> req.receive()
				.map(buf -> {
					bodyBytesTotal.addAndGet(buf.readableBytes());
					return ByteBufUtil.getBytes(buf);
				})
				.reduceWith(ByteArrayOutputStream::new, (all, bytes) -> {
					all.writeBytes(bytes);
					return all;
				})
				.flatMap(all -> {
					byte[] bytes = all.toByteArray();
					received.add(new Received(req.method().name(), req.uri(), req.requestHeaders().copy(), bytes.length,
							bytes));
					Sinks.Empty<Void> gate = hold.get();
					Mono<Void> wait = gate == null ? Mono.empty() : gate.asMono();
					byte[] body = ("{\"upstream\":\"" + name + "\",\"path\":\"" + req.path() + "\"}").getBytes();
					return wait.then(res.status(200)
						.header("Content-Type", "application/json")
						.header("X-Upstream", name)
						.header("Content-Length", Integer.toString(body.length))
						.sendByteArray(Mono.just(body))
						.then());
				}))
			.bindNow();
	}

	public String name() {
		return name;
	}

	public String url() {
		return "http://127.0.0.1:" + server.port();
	}

	public List<Received> received() {
		return List.copyOf(received);
	}

	public Received last() {
		List<Received> all = received();
		return all.isEmpty() ? null : all.get(all.size() - 1);
	}

	public int count() {
		return received.size();
	}

	/** All body bytes that ever reached this upstream, also of requests that were cut off. */
	public long bodyBytesTotal() {
		return bodyBytesTotal.get();
	}

	/** From now on, responses wait until {@link #release()}. */
	public void holdResponses() {
		hold.set(Sinks.empty());
	}

	public void release() {
		Sinks.Empty<Void> gate = hold.getAndSet(null);
		if (gate != null) {
			gate.tryEmitEmpty();
		}
	}

	public void reset() {
		release();
		received.clear();
		bodyBytesTotal.set(0);
	}

	@Override
	public void close() {
		release();
		server.disposeNow();
	}

}
