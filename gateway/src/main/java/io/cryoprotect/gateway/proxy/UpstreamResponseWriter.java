package io.cryoprotect.gateway.proxy;

import java.util.List;

import io.cryoprotect.gateway.chain.GatewayStage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.netty.Connection;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CLIENT_RESPONSE_CONN_ATTR;

/**
 * Writes the upstream's response body to the client, in place of Spring Cloud Gateway's
 * {@code NettyWriteResponseFilter} (same order, same exchange attributes from the routing
 * filter).
 * <p>
 * A response whose {@code Content-Length} is at most {@code bufferLimit} bytes is read
 * whole first and then written with its headers in one go: one write system call and one
 * TCP segment for the typical small JSON answer, where streaming sends the headers and
 * the body separately (two writes, two wake-ups of the client). Like NGINX's
 * {@code proxy_buffering}: the client gets the first byte when the upstream has sent the
 * last one, at most {@code bufferLimit} bytes later. An upstream that hangs up mid-body
 * is then still an error the gateway answers (502), not a truncated 200. Larger
 * responses, responses without a length, and streaming media types (server-sent events,
 * NDJSON: flushed per chunk) are streamed as SCG does.
 * <p>
 * Not carried over: SCG's trailer header filters, which only gRPC responses use; the
 * gateway proxies HTTP/1.1 and runs no {@code HttpHeadersFilter} chain (see
 * {@link UpstreamRoutingFilter}).
 */
public final class UpstreamResponseWriter implements GlobalFilter, Ordered {

	private static final Log logger = LogFactory.getLog(UpstreamResponseWriter.class);

	private final List<MediaType> streamingMediaTypes;

	private final long bufferLimit;

	public UpstreamResponseWriter(List<MediaType> streamingMediaTypes, long bufferLimit) {
		this.streamingMediaTypes = List.copyOf(streamingMediaTypes);
		this.bufferLimit = bufferLimit;
	}

	@Override
	public int getOrder() {
		return GatewayStage.RESPONSE_WRITER.order();
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		return chain.filter(exchange).then(Mono.defer(() -> write(exchange))).doFinally(signal -> {
			if (signal == SignalType.CANCEL || signal == SignalType.ON_ERROR) {
				dispose(exchange);
			}
		});
	}

	private Mono<Void> write(ServerWebExchange exchange) {
		Connection connection = exchange.getAttribute(CLIENT_RESPONSE_CONN_ATTR);
		if (connection == null) {
			return Mono.empty();
		}
		ServerHttpResponse response = exchange.getResponse();
		if (response.isCommitted()) {
			if (logger.isDebugEnabled()) {
				logger.debug("Response already committed, discarding the upstream body of " + exchange.getLogPrefix());
			}
			connection.dispose();
			return Mono.empty();
		}
		NettyDataBufferFactory factory = (NettyDataBufferFactory) response.bufferFactory();
		HttpHeaders headers = response.getHeaders();
		MediaType contentType = contentType(headers);
		if (contentType != null && isStreaming(contentType)) {
			return response
				.writeAndFlushWith(connection.inbound().receive().retain().map(buf -> Mono.just(factory.wrap(buf))));
		}
		long length = headers.getContentLength();
		if (bufferLimit > 0 && length >= 0 && length <= bufferLimit) {
			return response.writeWith(whole(connection, factory));
		}
		return response.writeWith(connection.inbound().receive().retain().map(factory::wrap));
	}

	/**
	 * The whole body as one buffer: the one that arrived, or a composite of several;
	 * empty for an empty body. Buffers read so far are released if the read fails or the
	 * client goes away.
	 */
	private static Mono<DataBuffer> whole(Connection connection, NettyDataBufferFactory factory) {
		return connection.inbound()
			.receive()
			.retain()
			.collectList()
			.doOnDiscard(ByteBuf.class, ByteBuf::release)
			.<DataBuffer>handle((buffers, sink) -> {
				if (buffers.size() == 1) {
					sink.next(factory.wrap(buffers.get(0)));
				}
				else if (!buffers.isEmpty()) {
					CompositeByteBuf body = factory.getByteBufAllocator().compositeBuffer(buffers.size());
					sink.next(factory.wrap(body.addComponents(true, buffers)));
				}
			});
	}

	private static MediaType contentType(HttpHeaders headers) {
		try {
			return headers.getContentType();
		}
		catch (InvalidMediaTypeException ex) {
			return null;
		}
	}

	private boolean isStreaming(MediaType contentType) {
		for (MediaType streaming : streamingMediaTypes) {
			if (streaming.isCompatibleWith(contentType)) {
				return true;
			}
		}
		return false;
	}

	private static void dispose(ServerWebExchange exchange) {
		Connection connection = exchange.getAttribute(CLIENT_RESPONSE_CONN_ATTR);
		if (connection != null) {
			connection.dispose();
		}
	}

	@Override
	public String toString() {
		return "UpstreamResponseWriter";
	}

}
