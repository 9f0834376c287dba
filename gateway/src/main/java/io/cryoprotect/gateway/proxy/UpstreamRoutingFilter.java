package io.cryoprotect.gateway.proxy;

import java.net.URI;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.cryoprotect.gateway.chain.GatewayStage;
import io.cryoprotect.gateway.observability.UpstreamPhases;
import io.cryoprotect.gateway.support.RequestState;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.AsciiString;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServerRequest;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebExchangeDecorator;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CLIENT_RESPONSE_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CLIENT_RESPONSE_CONN_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CLIENT_RESPONSE_HEADER_NAMES;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.ORIGINAL_RESPONSE_CONTENT_TYPE_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.PRESERVE_HOST_HEADER_ATTRIBUTE;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.isAlreadyRouted;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.setAlreadyRouted;

/**
 * The gateway's routing filter, in place of Spring Cloud Gateway's
 * {@code NettyRoutingFilter} (switched off in application.yml): it sends each request
 * through the client of its upstream colour's own pool, with the timeouts of its
 * resilience policy, and hands the response to {@link UpstreamResponseWriter} through
 * SCG's exchange attributes.
 * <p>
 * Headers take one pass each way. Upstream: the client's headers (as the route's filters
 * left them) go straight into the client's request headers without the hop-by-hop ones
 * (RFC 9110 7.6.1, and those the client's {@code Connection} header names), without the
 * forwarding headers ({@code Forwarded}, {@code X-Forwarded-*}: the client address
 * travels in {@code X-Real-IP} and {@code X-Forwarded-For}, which only the gateway sets)
 * and without {@code Host} unless a route preserves it; then every
 * {@link UpstreamHeaderContributor} bean adds its part. Downstream: the upstream's
 * headers without the hop-by-hop ones go straight into the response. SCG's routing filter
 * instead runs a chain of header filters that copies the headers several times per
 * request.
 * <p>
 * Timeouts are the resilience policy's ({@code filters-conf/resilience.yml}, on the
 * client the resilience filter chose); SCG's per-route {@code response-timeout} and
 * {@code connect-timeout} metadata are not read.
 */
public final class UpstreamRoutingFilter implements GlobalFilter, Ordered {

	/**
	 * Hop-by-hop headers, as Spring Cloud Gateway's RemoveHopByHopHeadersFilter lists
	 * them.
	 */
	private static final String[] HOP_BY_HOP = { "connection", "keep-alive", "transfer-encoding", "te", "trailer",
			"proxy-authorization", "proxy-authenticate", "x-application-context", "upgrade" };

	/** Also never forwarded upstream. */
	private static final String[] REQUEST_ONLY = { "host", "forwarded", "x-forwarded-for", "x-forwarded-host",
			"x-forwarded-port", "x-forwarded-proto", "x-forwarded-prefix" };

	private final HttpClient defaultClient;

	private final UpstreamPhases phases;

	private final List<UpstreamHeaderContributor> contributors;

	public UpstreamRoutingFilter(HttpClient defaultClient, UpstreamPhases phases,
			List<UpstreamHeaderContributor> contributors) {
		this.defaultClient = phases.instrument(defaultClient);
		this.phases = phases;
		this.contributors = contributors;
	}

	@Override
	public int getOrder() {
		return GatewayStage.UPSTREAM_CALL.order();
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		URI url = exchange.getRequiredAttribute(GATEWAY_REQUEST_URL_ATTR);
		String scheme = url.getScheme();
		if (isAlreadyRouted(exchange) || (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme))) {
			return chain.filter(exchange);
		}
		setAlreadyRouted(exchange);
		ServerHttpRequest request = exchange.getRequest();
		boolean preserveHost = exchange.getAttributeOrDefault(PRESERVE_HOST_HEADER_ATTRIBUTE, false);
		// The client of the colour the resilience policy chose for this attempt, with its
		// timeouts.
		HttpClient client = RequestState.of(exchange).client();
		Mono<Void> call = (client != null ? client : defaultClient)
			.headers(upstream -> upstreamHeaders(request, decodedHeaders(request, exchange), upstream, preserveHost,
					exchange, contributors))
			.request(HttpMethod.valueOf(request.getMethod().name()))
			.uri(url.toASCIIString())
			.send((req, outbound) -> outbound.send(request.getBody().map(UpstreamRoutingFilter::byteBuf)))
			.responseConnection((response, connection) -> {
				// UpstreamResponseWriter sends the body from this connection once the
				// chain has run.
				exchange.getAttributes().put(CLIENT_RESPONSE_ATTR, response);
				exchange.getAttributes().put(CLIENT_RESPONSE_CONN_ATTR, connection);
				copyResponse(response.status().code(), response.responseHeaders(), exchange);
				phases.headersReceived(response, exchange);
				return Mono.just(response);
			})
			.then();
		return UpstreamPhases.attempt(exchange, call).then(chain.filter(exchange));
	}

	/**
	 * The upstream request's headers, from the client's as Spring presents them and the
	 * contributors'; for unit tests.
	 */
	static void upstreamHeaders(ServerHttpRequest request, io.netty.handler.codec.http.HttpHeaders upstream,
			boolean preserveHost, ServerWebExchange exchange, List<UpstreamHeaderContributor> contributors) {
		upstreamHeaders(request, null, upstream, preserveHost, exchange, contributors);
	}

	/**
	 * The upstream request's headers, from the client's and the contributors': from
	 * {@code decoded}, the client's as Reactor Netty decoded them, when not null, else
	 * from the request's.
	 */
	private static void upstreamHeaders(ServerHttpRequest request, io.netty.handler.codec.http.HttpHeaders decoded,
			io.netty.handler.codec.http.HttpHeaders upstream, boolean preserveHost, ServerWebExchange exchange,
			List<UpstreamHeaderContributor> contributors) {
		if (decoded != null) {
			Set<String> connectionTokens = connectionTokens(decoded);
			for (Iterator<Map.Entry<CharSequence, CharSequence>> it = decoded.iteratorCharSequence(); it.hasNext();) {
				Map.Entry<CharSequence, CharSequence> header = it.next();
				if (forwardedUpstream(header.getKey(), connectionTokens)) {
					upstream.add(header.getKey(), header.getValue());
				}
			}
		}
		else {
			HttpHeaders incoming = request.getHeaders();
			Set<String> connectionTokens = connectionTokens(incoming.getOrEmpty(HttpHeaders.CONNECTION));
			for (Map.Entry<String, List<String>> header : incoming.headerSet()) {
				if (forwardedUpstream(header.getKey(), connectionTokens)) {
					upstream.add(header.getKey(), header.getValue());
				}
			}
		}
		if (preserveHost) {
			String host = request.getHeaders().getFirst(HttpHeaders.HOST);
			if (host != null) {
				upstream.set(HttpHeaderNames.HOST, host);
			}
		}
		for (UpstreamHeaderContributor contributor : contributors) {
			contributor.apply(upstream, exchange);
		}
	}

	/**
	 * The headers as Reactor Netty decoded them, when {@code request} is the server's
	 * own, as the exchange was created with: Spring's read-only view of them copies every
	 * entry to iterate them. Null when a filter mutated or decorated the request (its
	 * headers may differ from the decoded ones), or the server is not Reactor Netty.
	 * Package-private: {@code DecodedHeadersTests} holds a real server to the fast
	 * branch.
	 */
	static io.netty.handler.codec.http.HttpHeaders decodedHeaders(ServerHttpRequest request,
			ServerWebExchange exchange) {
		ServerWebExchange created = exchange;
		while (created instanceof ServerWebExchangeDecorator decorator) {
			created = decorator.getDelegate();
		}
		if (request == created.getRequest() && request instanceof AbstractServerHttpRequest server
				&& server.getNativeRequest() instanceof HttpServerRequest nettyRequest) {
			return nettyRequest.requestHeaders();
		}
		return null;
	}

	/**
	 * Neither hop-by-hop, nor named by the {@code Connection} header, nor one only the
	 * gateway may set.
	 */
	private static boolean forwardedUpstream(CharSequence name, Set<String> connectionTokens) {
		return !isOneOf(HOP_BY_HOP, name) && !isOneOf(REQUEST_ONLY, name)
				&& (connectionTokens == null || !connectionTokens.contains(name.toString().toLowerCase(Locale.ROOT)));
	}

	/**
	 * The upstream's status and end-to-end headers onto the client's response;
	 * package-private for unit tests.
	 */
	static void copyResponse(int status, io.netty.handler.codec.http.HttpHeaders upstream, ServerWebExchange exchange) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(HttpStatusCode.valueOf(status));
		String contentType = upstream.get(HttpHeaderNames.CONTENT_TYPE);
		if (contentType != null && !contentType.isEmpty()) {
			exchange.getAttributes().put(ORIGINAL_RESPONSE_CONTENT_TYPE_ATTR, contentType);
		}
		Set<String> names = new HashSet<>();
		// Headers of a response already committed elsewhere in the chain can no longer
		// change.
		if (!response.isCommitted()) {
			Set<String> connectionTokens = connectionTokens(upstream);
			HttpHeaders headers = response.getHeaders();
			for (Map.Entry<String, String> header : upstream) {
				String name = header.getKey();
				if (!isOneOf(HOP_BY_HOP, name)
						&& (connectionTokens == null || !connectionTokens.contains(name.toLowerCase(Locale.ROOT)))) {
					headers.add(name, header.getValue());
					names.add(name);
				}
			}
		}
		// A retry removes these again (ServerWebExchangeUtils.reset) before the next
		// attempt copies its own.
		exchange.getAttributes().put(CLIENT_RESPONSE_HEADER_NAMES, names);
	}

	/**
	 * The header names a {@code Connection} header lists, lower-cased; null when there
	 * are none.
	 */
	private static Set<String> connectionTokens(io.netty.handler.codec.http.HttpHeaders headers) {
		return connectionTokens(headers.getAll(HttpHeaderNames.CONNECTION));
	}

	private static Set<String> connectionTokens(List<String> connectionHeaders) {
		Set<String> tokens = null;
		for (String line : connectionHeaders) {
			for (String token : line.split(",")) {
				if (tokens == null) {
					tokens = new HashSet<>();
				}
				tokens.add(token.trim().toLowerCase(Locale.ROOT));
			}
		}
		return tokens;
	}

	private static boolean isOneOf(String[] names, CharSequence name) {
		for (String candidate : names) {
			if (candidate.length() == name.length() && AsciiString.contentEqualsIgnoreCase(candidate, name)) {
				return true;
			}
		}
		return false;
	}

	private static ByteBuf byteBuf(org.springframework.core.io.buffer.DataBuffer buffer) {
		if (buffer instanceof NettyDataBuffer netty) {
			return netty.getNativeBuffer();
		}
		throw new IllegalArgumentException("Unexpected body buffer type " + buffer.getClass().getName());
	}

}
