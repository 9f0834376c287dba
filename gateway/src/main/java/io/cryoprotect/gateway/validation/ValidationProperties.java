package io.cryoprotect.gateway.validation;

import io.cryoprotect.gateway.configfile.PolicyMode;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Process-wide validation settings ({@code gateway.validation.*}); the per-endpoint rules
 * live in {@code filters-conf/validation.yml}.
 *
 * @param modeOverride when set, replaces the mode of every endpoint, e.g. {@code off} as
 * a kill switch or {@code shadow} to measure a new schema set; default unset (env
 * {@code GATEWAY_VALIDATION_MODE})
 */
@ConfigurationProperties("gateway.validation")
public record ValidationProperties(PolicyMode modeOverride) {
}
