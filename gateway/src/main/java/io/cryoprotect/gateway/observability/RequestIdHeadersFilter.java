package io.cryoprotect.gateway.observability;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Forwards the request id upstream (a client's own well-formed id, or the one generated for it),
 * on the headers Spring Cloud Gateway builds for the upstream request, so the client's request is
 * never copied just to carry it.
 */
@Component
class RequestIdHeadersFilter implements HttpHeadersFilter, Ordered {

	@Override
	public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
		String id = exchange.getAttribute(RequestId.ATTR);
		if (id == null) {
			return input;
		}
		// Edited in place after RemoveHopByHopHeadersFilter's copy; the client's own headers are read-only.
		HttpHeaders headers = input == exchange.getRequest().getHeaders() ? HttpHeaders.copyOf(input) : input;
		headers.set(RequestId.HEADER, id);
		return headers;
	}

	@Override
	public boolean supports(Type type) {
		return type == Type.REQUEST;
	}

	/** Last, with the identity headers: after the hop-by-hop filter has made the writable copy. */
	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
