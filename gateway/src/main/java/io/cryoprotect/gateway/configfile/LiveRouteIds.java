package io.cryoprotect.gateway.configfile;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.springframework.stereotype.Component;

/**
 * The ids of the live route set, which the policy files may name. The route reloader
 * publishes each route set it applies; every policy reloader that names routes is told at
 * once, on the publishing thread, and checks its files again, so that a rename converges
 * whichever side lands first.
 */
@Component
public class LiveRouteIds {

	private final List<Consumer<Set<String>>> listeners = new CopyOnWriteArrayList<>();

	private volatile Set<String> ids;

	/** The live route ids, or null before the first route set is live. */
	public Set<String> get() {
		return ids;
	}

	/**
	 * Makes {@code next} the live route ids; listeners hear of it only when the ids
	 * changed.
	 */
	public void publish(Set<String> next) {
		if (next.equals(ids)) {
			return;
		}
		Set<String> published = Set.copyOf(next);
		ids = published;
		listeners.forEach(listener -> listener.accept(published));
	}

	void subscribe(Consumer<Set<String>> listener) {
		listeners.add(listener);
	}

}
