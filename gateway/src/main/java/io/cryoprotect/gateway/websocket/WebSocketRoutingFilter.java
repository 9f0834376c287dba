package io.cryoprotect.gateway.websocket;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import io.cryoprotect.gateway.chain.GatewayStage;
import io.cryoprotect.gateway.proxy.UpstreamHeaderContributor;
import io.cryoprotect.gateway.routing.RouteConfig;
import io.cryoprotect.gateway.support.RequestState;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.util.context.Context;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.WebsocketRoutingFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveHopByHopHeadersFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import org.springframework.web.reactive.socket.client.WebSocketClient;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import org.springframework.web.server.ServerWebExchange;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * Proxies WebSocket upgrades on routes with {@code websocket: true}, through Spring Cloud
 * Gateway's own {@link WebsocketRoutingFilter} (whose global instance stays switched off
 * in application.yml: it would proxy upgrades on every route). Everything before it in
 * the chain applies to the handshake as to any request: edge limits, request id, client
 * address, rate limits (which count the upgrade, not the frames), the colour pick with
 * the route's path rewrite, metrics and the access log (status 101). SCG's filter turns
 * the picked colour's {@code http(s)} URL into {@code ws(s)}, answers the client's
 * handshake, connects upstream and relays frames both ways as they come.
 * <p>
 * This filter adds the caps ({@link WebSocketSessions}), the upstream request headers of
 * any proxied request (the client's end-to-end headers without the forwarding ones, then
 * {@code X-Request-Id}, {@code X-Real-IP} and the rest from the
 * {@link UpstreamHeaderContributor} beans), the frame size limit at both ends, and a note
 * of every frame for the idle timeout. Upstream sockets connect through the gateway's
 * shared client, not the colours' pools: a socket holds its connection for minutes, which
 * would starve the route's plain requests.
 * <p>
 * An upgrade on any other route goes on to the routing filter as a plain request, without
 * its {@code Upgrade} header (hop-by-hop), so the upstream answers it as HTTP.
 */
final class WebSocketRoutingFilter implements GlobalFilter, Ordered {

	private static final String LEASE_ATTR = WebSocketRoutingFilter.class.getName() + ".lease";

	/**
	 * Never forwarded from the client: the client address travels in {@code X-Real-IP}
	 * and {@code X-Forwarded-For}, which only the gateway sets.
	 */
	private static final Set<String> FORWARDING = Set.of("forwarded", "x-forwarded-for", "x-forwarded-host",
			"x-forwarded-port", "x-forwarded-proto", "x-forwarded-prefix");

	/** IANA-registered 1014: the gateway got no valid answer from the upstream. */
	static final CloseStatus BAD_GATEWAY = new CloseStatus(1014, "bad gateway");

	private final WebSocketSessions sessions;

	private final WebsocketRoutingFilter proxy;

	WebSocketRoutingFilter(WebSocketSessions sessions, HttpClient httpClient, int maxFrameSize,
			List<UpstreamHeaderContributor> contributors) {
		this.sessions = sessions;
		WebSocketService service = new TrackedService(
				new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy(
						() -> WebsocketServerSpec.builder().maxFramePayloadLength(maxFrameSize))));
		WebSocketClient client = new TrackedClient(new ReactorNettyWebSocketClient(httpClient,
				() -> WebsocketClientSpec.builder().maxFramePayloadLength(maxFrameSize)));
		List<HttpHeadersFilter> headers = List.of(new RemoveHopByHopHeadersFilter(),
				(input, exchange) -> upstreamHeaders(input, exchange, contributors));
		this.proxy = new WebsocketRoutingFilter(client, service, new ObjectProvider<>() {

			@Override
			public List<HttpHeadersFilter> getIfAvailable(Supplier<List<HttpHeadersFilter>> defaultSupplier) {
				// SCG's filter asks once and appends its own two (Host, Sec-WebSocket-*)
				// to the list.
				return new ArrayList<>(headers);
			}

		});
	}

	/**
	 * SCG's: just before the routing filter, which takes the requests this one leaves.
	 */
	@Override
	public int getOrder() {
		return GatewayStage.WEBSOCKET_PROXY.order();
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
		if (route == null || !Boolean.TRUE.equals(route.getMetadata().get(RouteConfig.WEBSOCKET_METADATA))
				|| !"websocket".equalsIgnoreCase(exchange.getRequest().getHeaders().getUpgrade())) {
			return chain.filter(exchange);
		}
		WebSocketSessions.Lease lease;
		try {
			lease = sessions.admit(route.getId(), RequestState.of(exchange).callerKey());
		}
		catch (RuntimeException refused) {
			return Mono.error(refused);
		}
		exchange.getAttributes().put(LEASE_ATTR, lease);
		// What the handshake answers (Reactor Netty writes it), so the access log and
		// metrics show it.
		exchange.getResponse().setStatusCode(HttpStatus.SWITCHING_PROTOCOLS);
		// A handshake that fails (not a valid upgrade), or an exchange SCG's proxy passes
		// on, opens no session:
		// whatever the end, a lease that never started is given back (after a start,
		// abandon does nothing).
		return proxy.filter(exchange, chain).doFinally(signal -> lease.abandon());
	}

	private static HttpHeaders upstreamHeaders(HttpHeaders input, ServerWebExchange exchange,
			List<UpstreamHeaderContributor> contributors) {
		io.netty.handler.codec.http.HttpHeaders upstream = new DefaultHttpHeaders();
		for (Map.Entry<String, List<String>> header : input.headerSet()) {
			if (!FORWARDING.contains(header.getKey().toLowerCase(Locale.ROOT))) {
				upstream.add(header.getKey(), header.getValue());
			}
		}
		for (UpstreamHeaderContributor contributor : contributors) {
			contributor.apply(upstream, exchange);
		}
		HttpHeaders output = new HttpHeaders();
		for (Map.Entry<String, String> header : upstream) {
			output.add(header.getKey(), header.getValue());
		}
		return output;
	}

	/** Hands each client session to its lease before SCG's proxy handler relays it. */
	private record TrackedService(WebSocketService delegate) implements WebSocketService {

		@Override
		public Mono<Void> handleRequest(ServerWebExchange exchange, WebSocketHandler handler) {
			WebSocketSessions.Lease lease = exchange.getRequiredAttribute(LEASE_ATTR);
			return delegate.handleRequest(exchange, new WebSocketHandler() {

				@Override
				public List<String> getSubProtocols() {
					return handler.getSubProtocols();
				}

				@Override
				public Mono<Void> handle(WebSocketSession session) {
					lease.start(session::close);
					session.closeStatus().subscribe(status -> lease.endedBy("client"));
					return handler.handle(new NotedSession(session, lease))
						.contextWrite(Context.of(WebSocketSessions.Lease.class, lease))
						// The upstream refused or was unreachable, or its connection
						// failed.
						.onErrorResume(error -> {
							lease.endedBy("error");
							return session.close(BAD_GATEWAY);
						})
						.doFinally(signal -> lease.end());
				}

			});
		}

	}

	/** Hands each upstream session to the lease of the client session it relays. */
	private record TrackedClient(WebSocketClient delegate) implements WebSocketClient {

		@Override
		public Mono<Void> execute(URI url, WebSocketHandler handler) {
			return execute(url, new HttpHeaders(), handler);
		}

		@Override
		public Mono<Void> execute(URI url, HttpHeaders headers, WebSocketHandler handler) {
			return Mono.deferContextual(context -> {
				WebSocketSessions.Lease lease = context.get(WebSocketSessions.Lease.class);
				return delegate.execute(url, headers, new WebSocketHandler() {

					@Override
					public List<String> getSubProtocols() {
						return handler.getSubProtocols();
					}

					@Override
					public Mono<Void> handle(WebSocketSession upstream) {
						lease.upstream(upstream::close);
						upstream.closeStatus().subscribe(status -> lease.endedBy("upstream"));
						return handler.handle(new NotedSession(upstream, lease));
					}

				});
			});
		}

	}

	/**
	 * A session whose received frames are noted on the lease (for the idle timeout), and
	 * whose close, when the gateway closes the socket, carries the gateway's status.
	 */
	private record NotedSession(WebSocketSession delegate, WebSocketSessions.Lease lease) implements WebSocketSession {

		@Override
		public Flux<WebSocketMessage> receive() {
			return delegate.receive().doOnNext(message -> lease.frame());
		}

		/**
		 * When the gateway is closing the socket, its status goes out before the relay's
		 * own close.
		 */
		@Override
		public Mono<Void> send(Publisher<WebSocketMessage> messages) {
			return delegate.send(messages).then(Mono.defer(() -> {
				CloseStatus closing = lease.closing();
				return closing == null ? Mono.empty() : delegate.close(closing).onErrorComplete();
			}));
		}

		@Override
		public String getId() {
			return delegate.getId();
		}

		@Override
		public HandshakeInfo getHandshakeInfo() {
			return delegate.getHandshakeInfo();
		}

		@Override
		public DataBufferFactory bufferFactory() {
			return delegate.bufferFactory();
		}

		@Override
		public Map<String, Object> getAttributes() {
			return delegate.getAttributes();
		}

		@Override
		public boolean isOpen() {
			return delegate.isOpen();
		}

		@Override
		public Mono<Void> close(CloseStatus status) {
			return delegate.close(status);
		}

		@Override
		public Mono<CloseStatus> closeStatus() {
			return delegate.closeStatus();
		}

		@Override
		public WebSocketMessage textMessage(String payload) {
			return delegate.textMessage(payload);
		}

		@Override
		public WebSocketMessage binaryMessage(Function<DataBufferFactory, DataBuffer> payloadFactory) {
			return delegate.binaryMessage(payloadFactory);
		}

		@Override
		public WebSocketMessage pingMessage(Function<DataBufferFactory, DataBuffer> payloadFactory) {
			return delegate.pingMessage(payloadFactory);
		}

		@Override
		public WebSocketMessage pongMessage(Function<DataBufferFactory, DataBuffer> payloadFactory) {
			return delegate.pongMessage(payloadFactory);
		}

	}

}
