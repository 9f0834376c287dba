package io.cryoprotect.gateway.validation;

import java.util.Map;

import io.cryoprotect.gateway.configfile.PolicyMode;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code gateway.validation.mode-override}, which application.yml fills from
 * GATEWAY_VALIDATION_MODE or leaves empty.
 */
class ValidationPropertiesTests {

	@Test
	void emptyOverrideLeavesEachEndpointItsOwnMode() {
		assertThat(bind("").modeOverride()).isNull();
	}

	@Test
	void overrideNamesOneMode() {
		assertThat(bind("shadow").modeOverride()).isEqualTo(PolicyMode.shadow);
		assertThat(bind("off").modeOverride()).isEqualTo(PolicyMode.off);
	}

	private static ValidationProperties bind(String value) {
		Binder binder = new Binder(
				new MapConfigurationPropertySource(Map.of("gateway.validation.mode-override", value)));
		return binder.bindOrCreate("gateway.validation", ValidationProperties.class);
	}

}
