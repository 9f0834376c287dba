package io.cryoprotect.gateway.support;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.LoopResources;

/**
 * A real WebSocket client (Reactor Netty's) for tests: it connects to the gateway, sends
 * text frames on demand, and collects what comes back, the close frame the other end
 * sends, and a handshake the gateway refused.
 */
public final class TestWebSocket implements AutoCloseable {

	/**
	 * Own event loops: a Spring context closing in another test disposes Reactor Netty's
	 * global ones.
	 */
	private static final LoopResources LOOPS = LoopResources.create("test-websocket", 1, true);

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final Sinks.Many<String> outgoing = Sinks.many().unicast().onBackpressureBuffer();

	private final BlockingQueue<String> received = new LinkedBlockingQueue<>();

	private final CompletableFuture<Void> opened = new CompletableFuture<>();

	private final CompletableFuture<WebSocketCloseStatus> closeFrame = new CompletableFuture<>();

	private final CompletableFuture<Void> ended = new CompletableFuture<>();

	private TestWebSocket() {
	}

	/**
	 * Opens {@code ws://127.0.0.1:<port><path>}; {@link #awaitOpen} or
	 * {@link #awaitRefusal} tells how it went.
	 */
	public static TestWebSocket connect(int port, String path, Consumer<HttpHeaders> headers) {
		TestWebSocket socket = new TestWebSocket();
		HttpClient.newConnection()
			.runOn(LOOPS)
			.headers(headers)
			.websocket()
			.uri("ws://127.0.0.1:" + port + path)
			.handle((in, out) -> {
				socket.opened.complete(null);
				in.receiveCloseStatus().subscribe(socket.closeFrame::complete);
				return out.sendString(socket.outgoing.asFlux())
					.then()
					.then(Mono.defer(() -> out.sendClose(1000, "done")))
					.and(in.receive().asString().doOnNext(socket.received::add).then());
			})
			.subscribe(null, error -> {
				socket.opened.completeExceptionally(error);
				socket.ended.complete(null);
			}, () -> socket.ended.complete(null));
		return socket;
	}

	public static TestWebSocket connect(int port, String path) {
		return connect(port, path, headers -> {
		});
	}

	/** Waits for the handshake to succeed. */
	public TestWebSocket awaitOpen() throws Exception {
		opened.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		return this;
	}

	/** The status the gateway answered the handshake with, when it was not 101. */
	public int awaitRefusal() throws Exception {
		return refusal().status().code();
	}

	/** A header of the gateway's answer to the handshake, when it was not 101. */
	public String refusalHeader(String name) throws Exception {
		return refusal().headers().get(name);
	}

	private io.netty.handler.codec.http.HttpResponse refusal() throws Exception {
		try {
			opened.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof WebSocketClientHandshakeException refused) {
				return refused.response();
			}
			throw ex;
		}
		throw new AssertionError("The WebSocket handshake succeeded");
	}

	public void send(String text) {
		outgoing.tryEmitNext(text);
	}

	/** The next text frame received, waiting for it. */
	public String next() throws InterruptedException {
		String message = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
		if (message == null) {
			throw new AssertionError("No frame within " + WAIT);
		}
		return message;
	}

	/** The close frame the other end sent, as {@code <code> <reason>}, waiting for it. */
	public String awaitCloseFrame() throws Exception {
		WebSocketCloseStatus status = closeFrame.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		return status.code() + " " + status.reasonText();
	}

	/** Sends a normal close (1000) and waits for the connection to end. */
	@Override
	public void close() throws Exception {
		outgoing.tryEmitComplete();
		ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
	}

}
