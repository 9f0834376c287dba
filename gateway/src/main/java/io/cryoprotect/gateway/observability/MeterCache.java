package io.cryoprotect.gateway.observability;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.micrometer.core.instrument.Meter;

/**
 * Meters of one name found by their tag values: each is registered once, on its first
 * use, and found again with a hash probe, where a builder per request sorts its tags and
 * builds an id every time. Keys are the tag values (a record of them, or the one value);
 * they must be bounded (route, upstream, cause), never per caller, since nothing here is
 * ever removed.
 *
 * @param <K> the tag values
 * @param <M> the meter type
 */
public final class MeterCache<K, M extends Meter> {

	private final Map<K, M> meters = new ConcurrentHashMap<>();

	private final Function<? super K, ? extends M> register;

	/**
	 * @param register builds and registers the meter of a key not seen before
	 */
	public MeterCache(Function<? super K, ? extends M> register) {
		this.register = register;
	}

	public M get(K key) {
		M meter = meters.get(key);
		return meter != null ? meter : meters.computeIfAbsent(key, register);
	}

}
