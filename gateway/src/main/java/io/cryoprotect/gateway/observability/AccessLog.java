package io.cryoprotect.gateway.observability;

import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.cryoprotect.gateway.support.RateLimitVerdict;
import io.cryoprotect.gateway.support.ValidationVerdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes one JSON object per request to the {@code cryoprotect.access} logger, which
 * {@code logback-spring.xml} sends to stdout through {@link BatchedStdoutAppender}, each
 * message and a newline ({@link MessageLineEncoder}).
 */
final class AccessLog {

	static final String LOGGER = "cryoprotect.access";

	// SLF4J directly: the commons-logging bridge hands logback an argument array to
	// format per line.
	private static final Logger logger = LoggerFactory.getLogger(LOGGER);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/**
	 * The fields of one line; null values are written as JSON null so every line has the
	 * same keys.
	 */
	record Line(String time, String requestId, String traceparent, String method, String route, String upstream,
			String colour, int status, long bytes, long durationMs, int retries, RateLimitVerdict rateLimit,
			ValidationVerdict validation, String clientKey) {
	}

	/**
	 * A digest per event loop thread: looking one up per request costs more than the
	 * hash.
	 */
	private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every JVM", ex);
		}
	});

	private static final ThreadLocal<LineWriter> LINE = ThreadLocal.withInitial(LineWriter::new);

	private static final int CLIENT_KEYS = 1024;

	private static final SecureRandom SALTS = new SecureRandom();

	private final ThreadLocal<Map<String, String>> clientKeys = ThreadLocal.withInitial(ClientKeys::new);

	private final boolean enabled;

	private final double sampleRate;

	private final byte[] salt;

	AccessLog(ObservabilityProperties.AccessLog properties) {
		this.enabled = properties.enabled();
		this.sampleRate = properties.sampleRate();
		this.salt = properties.clientKeySalt() != null ? properties.clientKeySalt().getBytes(StandardCharsets.UTF_8)
				: randomSalt();
	}

	boolean wants(int status) {
		if (!enabled || !logger.isInfoEnabled()) {
			return false;
		}
		return status >= 500 || sampleRate >= 1.0 || ThreadLocalRandom.current().nextDouble() < sampleRate;
	}

	/**
	 * One JSON object, its keys in the record's order, written field by field (no
	 * reflection per line).
	 */
	void write(Line line) {
		LineWriter out = LINE.get();
		out.reset();
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
			json.writeStringProperty("rateLimit", line.rateLimit() == null ? null : line.rateLimit().value());
			json.writeStringProperty("validation", line.validation() == null ? null : line.validation().value());
			json.writeStringProperty("clientKey", line.clientKey());
			json.writeEndObject();
		}
		logger.info(out.toString());
	}

	/**
	 * The first 16 hex digits of SHA-256(salt + address): stable per client, useless for
	 * recovering the address. Each event loop thread remembers the keys of its last
	 * {@value #CLIENT_KEYS} addresses.
	 */
	String clientKey(String address) {
		Map<String, String> keys = clientKeys.get();
		String key = keys.get(address);
		if (key == null) {
			MessageDigest digest = SHA256.get();
			digest.update(salt);
			byte[] hash = digest.digest(address.getBytes(StandardCharsets.UTF_8));
			key = HexFormat.of().formatHex(hash, 0, 8);
			keys.put(address, key);
		}
		return key;
	}

	/**
	 * A Writer over a StringBuilder, reused per thread: StringWriter synchronizes every
	 * write.
	 */
	private static byte[] randomSalt() {
		byte[] salt = new byte[16];
		SALTS.nextBytes(salt);
		return salt;
	}

	/**
	 * A thread's most recently used client keys. A class of its own, not an anonymous
	 * one, so the map a thread keeps holds no reference to the access log that owns the
	 * thread-local.
	 */
	private static final class ClientKeys extends LinkedHashMap<String, String> {

		ClientKeys() {
			super(64, 0.75f, true);
		}

		@Override
		protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
			return size() > CLIENT_KEYS;
		}

	}

	private static final class LineWriter extends Writer {

		private final StringBuilder line = new StringBuilder(512);

		void reset() {
			line.setLength(0);
		}

		@Override
		public void write(char[] chars, int offset, int length) {
			line.append(chars, offset, length);
		}

		@Override
		public void write(String text, int offset, int length) {
			line.append(text, offset, offset + length);
		}

		@Override
		public void flush() {
		}

		@Override
		public void close() {
		}

		@Override
		public String toString() {
			return line.toString();
		}

	}

}
