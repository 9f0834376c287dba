package io.cryoprotect.gateway.identity;

import java.util.List;
import java.util.Map;

import io.cryoprotect.gateway.proxy.UpstreamHeaderContributor;
import io.cryoprotect.gateway.support.Caller;
import io.cryoprotect.gateway.support.RequestState;
import io.cryoprotect.gateway.support.UpstreamTarget;
import io.netty.handler.codec.http.HttpHeaders;

import org.springframework.web.server.ServerWebExchange;

/**
 * Sets what upstreams may believe about the caller, on the headers of the upstream
 * request: client-sent identity headers ({@code X-User-Id} and friends,
 * {@code X-API-Key}) are removed, the verified caller's are set ({@code X-User-Id},
 * {@code X-User-Role}, {@code X-User-Email}, {@code X-User-Plan}), {@code X-Real-IP} and
 * {@code X-Forwarded-For} carry the client address the gateway determined (one value,
 * never the client's own chain: with a trusted proxy in front it is already resolved, so
 * Flask's {@code ProxyFix(x_for=1)} reads the client and nothing it forged), and a
 * service with an upstream key (RDKit's {@code X-API-Key}) gets it from the gateway's own
 * secret, so browsers never hold it. While that secret is not set, the client's own
 * header of that name passes to that service (and only to it), so server-side scripts
 * holding the key keep working.
 */
class IdentityHeaderContributor implements UpstreamHeaderContributor {

	private static final String REAL_IP = "X-Real-IP";

	private static final String FORWARDED_FOR = "X-Forwarded-For";

	private final List<String> stripped;

	private final Map<String, IdentityProperties.ApiKey> apiKeys;

	IdentityHeaderContributor(IdentityProperties properties) {
		this.stripped = properties.strippedHeaders();
		this.apiKeys = properties.upstreamApiKeys();
	}

	@Override
	public void apply(HttpHeaders headers, ServerWebExchange exchange) {
		RequestState state = RequestState.of(exchange);
		UpstreamTarget upstream = state.upstream();
		IdentityProperties.ApiKey apiKey = upstream == null ? null : apiKeys.get(upstream.service());
		Caller caller = state.caller();
		// Without the gateway's own key, the client's passes: scripts that hold the
		// service's key keep working.
		String passed = apiKey != null && !apiKey.configured() ? apiKey.header() : null;
		for (String name : stripped) {
			if (!name.equalsIgnoreCase(passed)) {
				headers.remove(name);
			}
		}
		String client = state.clientAddress();
		headers.set(REAL_IP, client);
		headers.set(FORWARDED_FOR, client);
		if (caller != null) {
			headers.set("X-User-Id", caller.subject());
			headers.set("X-User-Role", caller.role());
			if (caller.email() != null) {
				headers.set("X-User-Email", caller.email());
			}
			if (caller.plan() != null) {
				headers.set("X-User-Plan", caller.plan());
			}
		}
		if (apiKey != null && apiKey.configured()) {
			headers.set(apiKey.header(), apiKey.value());
		}
	}

}
