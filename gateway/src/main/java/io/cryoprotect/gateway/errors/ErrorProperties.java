package io.cryoprotect.gateway.errors;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The gateway's own error answers ({@code gateway.errors.*}).
 *
 * @param defaultShape the shape of error answers on routes without an {@code errors:} key
 * and on paths no route serves; default {@code problem} (env
 * {@code GATEWAY_ERRORS_DEFAULT_SHAPE})
 */
@ConfigurationProperties("gateway.errors")
public record ErrorProperties(ErrorShape defaultShape) {

	public ErrorProperties {
		defaultShape = defaultShape == null ? ErrorShape.problem : defaultShape;
	}

}
