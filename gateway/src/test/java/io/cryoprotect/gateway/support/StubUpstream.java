package io.cryoprotect.gateway.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.NettyOutbound;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

/**
 * A real HTTP upstream on a loopback port for tests. It answers JSON naming itself in
 * {@code X-Upstream} and records what it received. Tests switch it between the fault
 * modes of docs/reliability.md: ok, down, hang, slow, reset-mid-body, 5xx-burst and
 * close-idle-after. A WebSocket upgrade is accepted on any path (see {@link #websocket}).
 */
public final class StubUpstream implements AutoCloseable {

	/** What the stub saw of one request, including its exact body. */
	public record Received(String method, String uri, HttpHeaders headers, byte[] body) {

		public long bodyBytes() {
			return body.length;
		}

		public String bodyText() {
			return new String(body, StandardCharsets.UTF_8);
		}

	}

	/** A request header asking the stub to answer with hop-by-hop headers. */
	public static final String HOP_BY_HOP_PROBE = "X-Test-Hop-By-Hop";

	private final String name;

	private final LoopResources loops;

	private final int port;

	private volatile DisposableServer server;

	private volatile Duration idleTimeout;

	private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();

	private final AtomicLong bodyBytesTotal = new AtomicLong();

	private final ConcurrentLinkedQueue<String> webSocketCloses = new ConcurrentLinkedQueue<>();

	private final Set<Channel> channels = ConcurrentHashMap.newKeySet();

	private final AtomicReference<Sinks.Empty<Void>> hold = new AtomicReference<>();

	private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.OK);

	private final AtomicInteger burstLeft = new AtomicInteger();

	private volatile int burstStatus = 503;

	private volatile String burstRetryAfter;

	private volatile Duration delay = Duration.ZERO;

	private volatile int healthStatus = 200;

	private enum Mode {

		OK, HANG, SLOW, RESET_MID_BODY, SPLIT

	}

	/**
	 * What a {@link #split} response sends: its type, its promised length, the part sent
	 * before the hold.
	 */
	private record Split(String contentType, int length, int first, Sinks.Empty<Void> firstSent) {
	}

	private volatile Split split;

	/** A canned answer: status, header lines in order (a name may repeat), body. */
	private record Answer(int status, List<String[]> headers, byte[] body) {
	}

	private volatile Answer answer;

	public StubUpstream(String name) {
		this.name = name;
		// Own event loops: a Spring context closing in another test disposes Reactor
		// Netty's global ones.
		this.loops = LoopResources.create("stub-" + name, 1, true);
		this.server = bind(0);
		this.port = server.port();
	}

	private DisposableServer bind(int bindPort) {
		HttpServer http = HttpServer.create()
			.runOn(loops)
			.host("127.0.0.1")
			.port(bindPort)
			.doOnConnection(connection -> {
				// Tracks the channel: the Connection object is disposed after each
				// keep-alive exchange.
				Channel channel = connection.channel();
				channels.add(channel);
				channel.closeFuture().addListener(future -> channels.remove(channel));
			});
		if (idleTimeout != null) {
			http = http.idleTimeout(idleTimeout);
		}
		return http.handle((req, res) -> req.receive()
			.asByteArray()
			.doOnNext(bytes -> bodyBytesTotal.addAndGet(bytes.length))
			.reduce(new ByteArrayOutputStream(), (out, bytes) -> {
				out.writeBytes(bytes);
				return out;
			})
			.flatMap(body -> handle(req, res, body.toByteArray()))).bindNow();
	}

	private Mono<Void> handle(HttpServerRequest req, HttpServerResponse res, byte[] body) {
		if (req.path().equals("health")) {
			return json(res, healthStatus, "{\"status\":\"" + (healthStatus < 300 ? "healthy" : "down")
					+ "\",\"deployment\":\"" + name + "\"}");
		}
		received.add(new Received(req.method().name(), req.uri(), req.requestHeaders().copy(), body));
		if (req.requestHeaders().containsValue("Upgrade", "websocket", true)) {
			return websocket(req, res);
		}
		Sinks.Empty<Void> gate = hold.get();
		Mono<Void> wait = gate == null ? Mono.empty() : gate.asMono();
		String json = "{\"upstream\":\"" + name + "\",\"path\":\"" + req.path() + "\"}";
		if (req.requestHeaders().contains(HOP_BY_HOP_PROBE)) {
			// Hop-by-hop response headers, for the gateway to drop: standard ones and one
			// that Connection names.
			res.header("Connection", "keep-alive, X-Hop")
				.header("Keep-Alive", "timeout=5")
				.header("X-Hop", "1")
				.header("X-End-To-End", "1");
		}
		Answer canned = answer;
		if (canned != null) {
			res.status(canned.status());
			canned.headers().forEach(line -> res.addHeader(line[0], line[1]));
			return canned.body().length == 0 ? res.send().then() : res.sendByteArray(Mono.just(canned.body())).then();
		}
		if (burstLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
			if (burstRetryAfter != null) {
				res.header("Retry-After", burstRetryAfter);
			}
			return json(res, burstStatus, "{\"error\":\"burst\"}");
		}
		return switch (mode.get()) {
			case OK -> wait.then(json(res, 200, json));
			case HANG -> Mono.never();
			case SLOW -> Mono.delay(delay).then(json(res, 200, json));
			case RESET_MID_BODY -> resetMidBody(res);
			case SPLIT -> split(res, split, wait);
		};
	}

	/**
	 * A WebSocket upgrade: the stub first sends a text frame naming itself and the path
	 * it was asked for, then echoes every text frame as {@code echo:<text>}, and records
	 * the close status the other end sends.
	 */
	private Mono<Void> websocket(HttpServerRequest req, HttpServerResponse res) {
		String hello = "{\"upstream\":\"" + name + "\",\"path\":\"" + req.path() + "\"}";
		return res.sendWebsocket((in, out) -> {
			in.receiveCloseStatus().subscribe(status -> webSocketCloses.add(status.code() + " " + status.reasonText()));
			Flux<String> echoes = in.receive()
				.asString()
				.concatMap(text -> text.equals("close")
						? out.sendClose(4000, "closed by upstream").then(Mono.<String>empty())
						: Mono.just("echo:" + text));
			return out.sendString(Flux.concat(Mono.just(hello), echoes));
		});
	}

	private Mono<Void> json(HttpServerResponse res, int status, String json) {
		byte[] bytes = json.getBytes();
		return res.status(status)
			.header("Content-Type", "application/json")
			.header("X-Upstream", name)
			.header("Content-Length", Integer.toString(bytes.length))
			.sendByteArray(Mono.just(bytes))
			.then();
	}

	/** Promises 1000 bytes, sends 100, then closes the connection. */
	private Mono<Void> resetMidBody(HttpServerResponse res) {
		byte[] part = new byte[100];
		Arrays.fill(part, (byte) 'x');
		res.status(200)
			.header("Content-Type", "application/octet-stream")
			.header("X-Upstream", name)
			.header("Content-Length", "1000");
		NettyOutbound outbound = res.send(Mono.just(Unpooled.wrappedBuffer(part)), b -> true);
		return Mono.from(outbound).then(Mono.fromRunnable(() -> res.withConnection(c -> c.channel().close())));
	}

	/**
	 * Sends the headers and the first {@code first} bytes of a {@code length}-byte body,
	 * then the rest once {@code gate} opens.
	 */
	private Mono<Void> split(HttpServerResponse res, Split split, Mono<Void> gate) {
		byte[] head = new byte[split.first()];
		byte[] rest = new byte[split.length() - split.first()];
		Arrays.fill(head, (byte) 'a');
		Arrays.fill(rest, (byte) 'b');
		res.status(200)
			.header("Content-Type", split.contentType())
			.header("X-Upstream", name)
			.header("Content-Length", Integer.toString(split.length()));
		// The first part is flushed once the stream stalls at the gate.
		return res
			.sendByteArray(Flux.concat(Mono.just(head),
					Mono.fromRunnable(split.firstSent()::tryEmitEmpty).then(gate).then(Mono.empty()), Mono.just(rest)))
			.then();
	}

	public String name() {
		return name;
	}

	public String url() {
		return "http://127.0.0.1:" + port;
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

	/** The close frames WebSocket clients sent this stub, as {@code <code> <reason>}. */
	public List<String> webSocketCloses() {
		return List.copyOf(webSocketCloses);
	}

	/** All body bytes that reached this upstream, also of requests that were cut off. */
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

	/** Never answers. */
	public void hang() {
		mode.set(Mode.HANG);
	}

	/** Answers after {@code delay}. */
	public void slow(Duration delay) {
		this.delay = delay;
		mode.set(Mode.SLOW);
	}

	/**
	 * Responses promise {@code length} bytes of {@code contentType}, send the first
	 * {@code first} and hold the rest until {@link #release()}; the returned Mono
	 * completes when the first part is sent.
	 */
	public Mono<Void> split(String contentType, int length, int first) {
		Split next = new Split(contentType, length, first, Sinks.empty());
		holdResponses();
		split = next;
		mode.set(Mode.SPLIT);
		return next.firstSent().asMono();
	}

	/** Promises a body, sends a tenth of it and closes. */
	public void resetMidBody() {
		mode.set(Mode.RESET_MID_BODY);
	}

	/**
	 * The next {@code count} requests get {@code status}, with {@code Retry-After} when
	 * not null.
	 */
	public void burst(int status, int count, String retryAfter) {
		this.burstStatus = status;
		this.burstRetryAfter = retryAfter;
		burstLeft.set(count);
	}

	/**
	 * Every request from now on gets exactly this answer: {@code status}, the header
	 * lines given as name, value, name, value... in that order (a name may repeat), and
	 * {@code body} (none if empty).
	 */
	public void answer(int status, String body, String... headerNamesAndValues) {
		List<String[]> headers = new ArrayList<>();
		for (int i = 0; i < headerNamesAndValues.length; i += 2) {
			headers.add(new String[] { headerNamesAndValues[i], headerNamesAndValues[i + 1] });
		}
		answer = new Answer(status, List.copyOf(headers), body.getBytes(StandardCharsets.UTF_8));
	}

	/** What {@code GET /health} answers. */
	public void health(int status) {
		this.healthStatus = status;
	}

	/** Stops listening and drops open connections: new connections are refused. */
	public void down() {
		server.disposeNow();
		channels.forEach(channel -> channel.close().syncUninterruptibly());
	}

	/**
	 * Listens again on the same port, closing keep-alive connections idle longer than
	 * {@code idle} (null: never).
	 */
	public void up(Duration idle) {
		down();
		this.idleTimeout = idle;
		this.server = bind(port);
	}

	public void reset() {
		release();
		answer = null;
		mode.set(Mode.OK);
		burstLeft.set(0);
		healthStatus = 200;
		if (server.isDisposed() || idleTimeout != null) {
			up(null);
		}
		received.clear();
		webSocketCloses.clear();
		bodyBytesTotal.set(0);
	}

	@Override
	public void close() {
		release();
		server.disposeNow();
		loops.disposeLater().block(Duration.ofSeconds(5));
	}

}
