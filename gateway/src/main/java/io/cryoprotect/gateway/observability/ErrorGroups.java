package io.cryoprotect.gateway.observability;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * A bounded, least-recently-seen table of error fingerprints (route + cause + normalised
 * message) with counts, first and last sighting and the latest request ids; each group is
 * logged at most once per window.
 */
final class ErrorGroups {

	private static final Log logger = LogFactory.getLog(ErrorGroups.class);

	private static final Pattern UUID = Pattern
		.compile("\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b");

	/**
	 * Hex runs of 8+ with at least one digit: request ids, hashes, object ids; plain
	 * words stay.
	 */
	private static final Pattern HEX = Pattern.compile("\\b(?=[0-9a-fA-F]*[0-9])[0-9a-fA-F]{8,}\\b");

	private static final Pattern NUMBER = Pattern.compile("\\d+");

	/** One group as shown on the endpoint. */
	record Group(String route, String cause, String message, long count, Instant firstSeen, Instant lastSeen,
			List<String> recentRequestIds) {
	}

	private static final class Entry {

		final String route;

		final String cause;

		final String message;

		final Instant firstSeen;

		final ArrayDeque<String> recent = new ArrayDeque<>();

		long count;

		Instant lastSeen;

		Instant lastLogged;

		long countAtLastLog;

		Entry(String route, String cause, String message, Instant now) {
			this.route = route;
			this.cause = cause;
			this.message = message;
			this.firstSeen = now;
		}

	}

	private final Clock clock;

	private final int recentIds;

	private final Duration logWindow;

	private final LinkedHashMap<String, Entry> groups;

	ErrorGroups(Clock clock, ObservabilityProperties.ErrorGroups properties) {
		this.clock = clock;
		this.recentIds = properties.recentRequestIds();
		this.logWindow = properties.logWindow();
		int max = properties.maxGroups();
		this.groups = new LinkedHashMap<>(16, 0.75f, true) {
			@Override
			protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
				return size() > max;
			}
		};
	}

	static String normalise(String message) {
		if (message == null) {
			return "";
		}
		String out = UUID.matcher(message).replaceAll("<uuid>");
		out = HEX.matcher(out).replaceAll("<hex>");
		return NUMBER.matcher(out).replaceAll("<n>");
	}

	void record(String route, String cause, String message, String requestId) {
		String normalised = normalise(message);
		String key = route + '\u0000' + cause + '\u0000' + normalised;
		Instant now = clock.instant();
		String burst = null;
		synchronized (groups) {
			Entry entry = groups.computeIfAbsent(key, k -> new Entry(route, cause, normalised, now));
			entry.count++;
			entry.lastSeen = now;
			if (entry.recent.size() == recentIds) {
				entry.recent.removeFirst();
			}
			entry.recent.addLast(requestId);
			if (entry.lastLogged == null || !now.isBefore(entry.lastLogged.plus(logWindow))) {
				burst = "Error group route=" + route + " cause=" + cause + " \"" + normalised + "\": "
						+ (entry.count - entry.countAtLastLog) + " new since "
						+ (entry.lastLogged == null ? entry.firstSeen : entry.lastLogged) + ", " + entry.count
						+ " in all, latest request " + requestId;
				entry.lastLogged = now;
				entry.countAtLastLog = entry.count;
			}
		}
		if (burst != null) {
			logger.warn(burst);
		}
	}

	/** Most recently seen first. */
	List<Group> groups() {
		List<Group> out = new ArrayList<>();
		synchronized (groups) {
			for (Entry e : groups.values()) {
				out.add(new Group(e.route, e.cause, e.message, e.count, e.firstSeen, e.lastSeen,
						List.copyOf(e.recent)));
			}
		}
		Collections.reverse(out);
		return out;
	}

}
