package io.cryoprotect.gateway.proxy;

import java.util.List;

import io.netty.handler.codec.http.DefaultHttpHeaders;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.support.Netty4HeadersAdapter;
import org.springframework.web.server.ServerWebExchange;

/**
 * The {@link UpstreamHeaderContributor}s as the last of Spring Cloud Gateway's request
 * header filters, for the stock path ({@code gateway.proxy.fast-path=false}): the
 * identity headers, the client address and the request id reach the upstream there as on
 * the fast path, and a client's forged identity headers do not.
 */
final class ContributorsHeadersFilter implements HttpHeadersFilter, Ordered {

	private final List<UpstreamHeaderContributor> contributors;

	ContributorsHeadersFilter(List<UpstreamHeaderContributor> contributors) {
		this.contributors = contributors;
	}

	@Override
	public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
		DefaultHttpHeaders upstream = new DefaultHttpHeaders();
		input.forEach(upstream::add);
		for (UpstreamHeaderContributor contributor : contributors) {
			contributor.apply(upstream, exchange);
		}
		return new HttpHeaders(new Netty4HeadersAdapter(upstream));
	}

	@Override
	public boolean supports(Type type) {
		return type == Type.REQUEST;
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
