package io.cryoprotect.gateway.observability;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes one JSON object per request to the {@code cryoprotect.access} logger, which
 * {@code logback-spring.xml} sends through an asynchronous appender with a bare {@code %m%n} pattern.
 */
final class AccessLog {

	static final String LOGGER = "cryoprotect.access";

	private static final Log logger = LogFactory.getLog(LOGGER);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** The fields of one line; null values are written as JSON null so every line has the same keys. */
	record Line(String time, String requestId, String traceparent, String method, String route, String upstream,
			String colour, int status, long bytes, long durationMs, int retries, String rateLimit, String validation,
			String clientKey) {
	}

	/** A digest per event loop thread: looking one up per request costs more than the hash. */
	private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every JVM", ex);
		}
	});

	private final boolean enabled;

	private final double sampleRate;

	private final byte[] salt;

	AccessLog(ObservabilityProperties.AccessLog properties) {
		this.enabled = properties.enabled();
		this.sampleRate = properties.sampleRate();
		this.salt = properties.clientKeySalt() != null ? properties.clientKeySalt().getBytes(StandardCharsets.UTF_8)
				: new SecureRandom().generateSeed(16);
	}

	boolean wants(int status) {
		if (!enabled || !logger.isInfoEnabled()) {
			return false;
		}
		return status >= 500 || sampleRate >= 1.0 || ThreadLocalRandom.current().nextDouble() < sampleRate;
	}

	/** One JSON object, its keys in the record's order, written field by field (no reflection per line). */
	void write(Line line) {
		StringWriter out = new StringWriter(320);
		try (JsonGenerator json = JSON.createGenerator(out)) {
			json.writeStartObject();
			json.writeStringProperty("time", line.time());
			json.writeStringProperty("requestId", line.requestId());
			json.writeStringProperty("traceparent", line.traceparent());
			json.writeStringProperty("method", line.method());
			json.writeStringProperty("route", line.route());
			json.writeStringProperty("upstream", line.upstream());
			json.writeStringProperty("colour", line.colour());
			json.writeNumberProperty("status", line.status());
			json.writeNumberProperty("bytes", line.bytes());
			json.writeNumberProperty("durationMs", line.durationMs());
			json.writeNumberProperty("retries", line.retries());
			json.writeStringProperty("rateLimit", line.rateLimit());
			json.writeStringProperty("validation", line.validation());
			json.writeStringProperty("clientKey", line.clientKey());
			json.writeEndObject();
		}
		logger.info(out.toString());
	}

	/** The first 16 hex digits of SHA-256(salt + address): stable per client, useless for recovering the address. */
	String clientKey(String address) {
		MessageDigest digest = SHA256.get();
		digest.update(salt);
		byte[] hash = digest.digest(address.getBytes(StandardCharsets.UTF_8));
		return HexFormat.of().formatHex(hash, 0, 8);
	}

}
