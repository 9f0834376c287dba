package io.cryoprotect.gateway.support;

import java.util.Set;
import java.util.TreeSet;

/**
 * Reads series out of a Prometheus text exposition, for assertions on exact label sets.
 */
public final class Scrape {

	private final String text;

	public Scrape(String text) {
		this.text = text;
	}

	/**
	 * The value of the series written exactly as {@code series} (name and sorted labels),
	 * or 0 when absent.
	 */
	public double value(String series) {
		for (String line : text.split("\n")) {
			if (line.startsWith(series + " ")) {
				return Double.parseDouble(line.substring(series.length() + 1).trim());
			}
		}
		return 0;
	}

	/** Every series (name plus labels) whose name starts with {@code prefix}. */
	public Set<String> series(String prefix) {
		Set<String> out = new TreeSet<>();
		for (String line : text.split("\n")) {
			if (line.startsWith(prefix)) {
				out.add(line.substring(0, line.lastIndexOf(' ')));
			}
		}
		return out;
	}

	/** Every metric name exported, without labels. */
	public Set<String> names() {
		Set<String> out = new TreeSet<>();
		for (String line : text.split("\n")) {
			if (!line.isEmpty() && !line.startsWith("#")) {
				int brace = line.indexOf('{');
				int space = line.indexOf(' ');
				out.add(line.substring(0, brace >= 0 && brace < space ? brace : space));
			}
		}
		return out;
	}

}
