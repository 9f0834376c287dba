package io.cryoprotect.gateway.routing;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.util.Assert;
import org.springframework.web.server.ServerWebExchange;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.addOriginalRequestUrl;

/**
 * Replaces a leading path prefix, e.g. {@code - ReplacePrefix=/rdkit/, /api/}. A plain
 * prefix swap needs no regular expression per request, unlike {@code RewritePath}.
 * Requests whose path does not start with the prefix pass unchanged.
 */
public class ReplacePrefixGatewayFilterFactory
		extends AbstractGatewayFilterFactory<ReplacePrefixGatewayFilterFactory.Config> {

	public ReplacePrefixGatewayFilterFactory() {
		super(Config.class);
	}

	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("from", "to");
	}

	@Override
	public GatewayFilter apply(Config config) {
		config.validate();
		String from = config.getFrom();
		String to = config.getTo();
		return new GatewayFilter() {
			@Override
			public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
				ServerHttpRequest request = exchange.getRequest();
				String rawPath = request.getURI().getRawPath();
				if (!rawPath.startsWith(from)) {
					return chain.filter(exchange);
				}
				addOriginalRequestUrl(exchange, request.getURI());
				ServerHttpRequest rewritten = request.mutate().path(to + rawPath.substring(from.length())).build();
				return chain.filter(exchange.mutate().request(rewritten).build());
			}

			@Override
			public String toString() {
				return "ReplacePrefix{from=" + from + ", to=" + to + "}";
			}
		};
	}

	/** The prefix to replace and its replacement; both are absolute paths. */
	public static class Config {

		private String from;

		private String to;

		public String getFrom() {
			return from;
		}

		public void setFrom(String from) {
			this.from = from;
		}

		public String getTo() {
			return to;
		}

		public void setTo(String to) {
			this.to = to;
		}

		void validate() {
			Assert.isTrue(from != null && from.startsWith("/"), () -> "from must start with '/' but was " + from);
			Assert.isTrue(to != null && to.startsWith("/"), () -> "to must start with '/' but was " + to);
		}

	}

}
