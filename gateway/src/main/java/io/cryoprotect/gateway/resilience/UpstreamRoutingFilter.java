package io.cryoprotect.gateway.resilience;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import io.cryoprotect.gateway.edge.RequestLoop;
import io.cryoprotect.gateway.observability.UpstreamPhases;
import io.cryoprotect.gateway.routing.UpstreamRequestHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

import static org.springframework.cloud.gateway.support.RouteMetadataUtils.CONNECT_TIMEOUT_ATTR;
import static org.springframework.cloud.gateway.support.RouteMetadataUtils.RESPONSE_TIMEOUT_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CLIENT_RESPONSE_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CLIENT_RESPONSE_CONN_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CLIENT_RESPONSE_HEADER_NAMES;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.ORIGINAL_RESPONSE_CONTENT_TYPE_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.PRESERVE_HOST_HEADER_ATTRIBUTE;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.isAlreadyRouted;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.setAlreadyRouted;

/**
 * The gateway's routing filter, in place of Spring Cloud Gateway's {@code NettyRoutingFilter}
 * (switched off in application.yml): it sends each request through the client of its upstream
 * colour's own pool, with the timeouts of its resilience policy, and hands the response to SCG's
 * {@code NettyWriteResponseFilter} through the same exchange attributes.
 * <p>
 * Headers take one pass each way. Upstream: the client's headers (as the route's filters left
 * them) go straight into the client's request headers without the hop-by-hop ones (RFC 9110 7.6.1,
 * and those the client's {@code Connection} header names), without the forwarding headers
 * ({@code Forwarded}, {@code X-Forwarded-*}: the client address travels in {@code X-Real-IP},
 * which only the gateway sets) and without {@code Host} unless a route preserves it; then every
 * {@link UpstreamRequestHeaders} bean adds its part. Downstream: the upstream's headers without
 * the hop-by-hop ones go straight into the response. SCG's routing filter instead runs a chain of
 * header filters that copies the headers several times per request.
 */
final class UpstreamRoutingFilter implements GlobalFilter, Ordered {

	/** Exchange attribute holding the {@link HttpClient} the resilience filter chose. */
	static final String CLIENT_ATTR = UpstreamRoutingFilter.class.getName() + ".client";

	/** Hop-by-hop headers, as Spring Cloud Gateway's RemoveHopByHopHeadersFilter lists them. */
	private static final String[] HOP_BY_HOP = { "connection", "keep-alive", "transfer-encoding", "te", "trailer",
			"proxy-authorization", "proxy-authenticate", "x-application-context", "upgrade" };

	/** Also never forwarded upstream. */
	private static final String[] REQUEST_ONLY = { "host", "forwarded", "x-forwarded-for", "x-forwarded-host",
			"x-forwarded-port", "x-forwarded-proto", "x-forwarded-prefix" };

	private final HttpClient defaultClient;

	private final HttpClientProperties properties;

	private final List<UpstreamRequestHeaders> contributors;

	UpstreamRoutingFilter(HttpClient defaultClient, HttpClientProperties properties, UpstreamPhases phases,
			List<UpstreamRequestHeaders> contributors) {
		this.defaultClient = phases.instrument(defaultClient);
		this.properties = properties;
		this.contributors = contributors;
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
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
		Route route = exchange.getRequiredAttribute(GATEWAY_ROUTE_ATTR);
		boolean preserveHost = exchange.getAttributeOrDefault(PRESERVE_HOST_HEADER_ATTRIBUTE, false);
		Mono<Void> call = client(route, exchange)
			.headers(upstream -> upstreamHeaders(request.getHeaders(), upstream, preserveHost, exchange))
			.request(HttpMethod.valueOf(request.getMethod().name()))
			.uri(url.toASCIIString())
			.send((req, outbound) -> outbound.send(request.getBody().map(UpstreamRoutingFilter::byteBuf)))
			.responseConnection((response, connection) -> {
				// NettyWriteResponseFilter streams the body from this connection once the chain has run.
				exchange.getAttributes().put(CLIENT_RESPONSE_ATTR, response);
				exchange.getAttributes().put(CLIENT_RESPONSE_CONN_ATTR, connection);
				copyResponse(response.status().code(), response.responseHeaders(), exchange);
				return Mono.just(response);
			})
			.then();
		Duration responseTimeout = responseTimeout(route);
		if (responseTimeout != null) {
			call = call.timeout(responseTimeout, RequestLoop.timer(exchange))
				.onErrorMap(TimeoutException.class, ex -> new ResponseStatusException(HttpStatus.GATEWAY_TIMEOUT,
						"Response took longer than timeout: " + responseTimeout, ex));
		}
		return UpstreamPhases.attempt(exchange, call).then(chain.filter(exchange));
	}

	private void upstreamHeaders(HttpHeaders client, io.netty.handler.codec.http.HttpHeaders upstream,
			boolean preserveHost, ServerWebExchange exchange) {
		for (Map.Entry<String, List<String>> header : client.headerSet()) {
			upstream.add(header.getKey(), header.getValue());
		}
		removeHopByHop(upstream);
		for (String name : REQUEST_ONLY) {
			upstream.remove(name);
		}
		if (preserveHost) {
			String host = client.getFirst(HttpHeaders.HOST);
			if (host != null) {
				upstream.set(HttpHeaderNames.HOST, host);
			}
		}
		for (UpstreamRequestHeaders contributor : contributors) {
			contributor.apply(upstream, exchange);
		}
	}

	/** Removes the hop-by-hop headers, including those its {@code Connection} header names. */
	private static void removeHopByHop(io.netty.handler.codec.http.HttpHeaders headers) {
		List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
		for (String line : connection) {
			for (String token : line.split(",")) {
				headers.remove(token.trim());
			}
		}
		for (String name : HOP_BY_HOP) {
			headers.remove(name);
		}
	}

	private static void copyResponse(int status, io.netty.handler.codec.http.HttpHeaders upstream,
			ServerWebExchange exchange) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(HttpStatusCode.valueOf(status));
		String contentType = upstream.get(HttpHeaderNames.CONTENT_TYPE);
		if (contentType != null && !contentType.isEmpty()) {
			exchange.getAttributes().put(ORIGINAL_RESPONSE_CONTENT_TYPE_ATTR, contentType);
		}
		Set<String> names = new HashSet<>();
		// Headers of a response already committed elsewhere in the chain can no longer change.
		if (!response.isCommitted()) {
			Set<String> connectionTokens = connectionTokens(upstream);
			HttpHeaders headers = response.getHeaders();
			for (Map.Entry<String, String> header : upstream) {
				String name = header.getKey();
				if (!isHopByHop(name) && (connectionTokens == null || !connectionTokens.contains(name.toLowerCase(Locale.ROOT)))) {
					headers.add(name, header.getValue());
					names.add(name);
				}
			}
		}
		// A retry removes these again (ServerWebExchangeUtils.reset) before the next attempt copies its own.
		exchange.getAttributes().put(CLIENT_RESPONSE_HEADER_NAMES, names);
	}

	private static Set<String> connectionTokens(io.netty.handler.codec.http.HttpHeaders headers) {
		Set<String> tokens = null;
		for (String line : headers.getAll(HttpHeaderNames.CONNECTION)) {
			for (String token : line.split(",")) {
				if (tokens == null) {
					tokens = new HashSet<>();
				}
				tokens.add(token.trim().toLowerCase(Locale.ROOT));
			}
		}
		return tokens;
	}

	private static boolean isHopByHop(String name) {
		for (String hop : HOP_BY_HOP) {
			if (hop.length() == name.length() && hop.equalsIgnoreCase(name)) {
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

	/** The resilience policy's client, or the default client with the route's or SCG's connect timeout. */
	private HttpClient client(Route route, ServerWebExchange exchange) {
		HttpClient client = exchange.getAttribute(CLIENT_ATTR);
		if (client != null) {
			return client;
		}
		Object connectTimeout = route.getMetadata().getOrDefault(CONNECT_TIMEOUT_ATTR, properties.getConnectTimeout());
		return connectTimeout == null ? defaultClient
				: defaultClient.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Integer.parseInt(connectTimeout.toString()));
	}

	/** The route's {@code response-timeout} metadata (ms; negative: none), else SCG's global one. */
	private Duration responseTimeout(Route route) {
		Object value = route.getMetadata().get(RESPONSE_TIMEOUT_ATTR);
		if (value == null) {
			return properties.getResponseTimeout();
		}
		long millis = Long.parseLong(value.toString());
		return millis < 0 ? null : Duration.ofMillis(millis);
	}

}
