package io.cryoprotect.gateway.edge;

import java.net.InetSocketAddress;

import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * The port of the management server (actuator). Its requests pass the same web filter
 * beans as client traffic; filters that only concern client traffic ask {@link #serves}
 * to let them by.
 */
@Component
public class ManagementPort implements ApplicationListener<WebServerInitializedEvent> {

	private volatile int port = -1;

	/**
	 * Whether {@code exchange} arrived on the management port (false until that server
	 * has started).
	 */
	public boolean serves(ServerWebExchange exchange) {
		InetSocketAddress local = exchange.getRequest().getLocalAddress();
		return port > 0 && local != null && local.getPort() == port;
	}

	@Override
	public void onApplicationEvent(WebServerInitializedEvent event) {
		if ("management".equals(event.getApplicationContext().getServerNamespace())) {
			port = event.getWebServer().getPort();
		}
	}

}
