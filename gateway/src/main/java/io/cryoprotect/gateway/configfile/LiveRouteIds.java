package io.cryoprotect.gateway.configfile;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.springframework.stereotype.Component;

/**
 * The names of the live route set that the policy files may use: route ids, and the
 * services the routes belong to (a service is a route file's name: {@code rdkit} for
 * {@code routes/rdkit.yml}). The route reloader publishes each route set it applies;
 * every policy reloader that names routes is told at once, on the publishing thread, and
 * checks its files again, so that a rename converges whichever side lands first.
 */
@Component
public class LiveRouteIds {

	/** Route ids and service names of one route set. */
	public record Names(Set<String> ids, Set<String> services) {

		public Names {
			ids = Set.copyOf(ids);
			services = Set.copyOf(services);
		}

	}

	private final List<Consumer<Names>> listeners = new CopyOnWriteArrayList<>();

	private volatile Names names;

	/** The live route ids and services, or null before the first route set is live. */
	public Names get() {
		return names;
	}

	/**
	 * Makes {@code ids} and {@code services} the live names; listeners hear of it only
	 * when they changed.
	 */
	public void publish(Set<String> ids, Set<String> services) {
		Names next = new Names(ids, services);
		if (next.equals(names)) {
			return;
		}
		names = next;
		listeners.forEach(listener -> listener.accept(next));
	}

	void subscribe(Consumer<Names> listener) {
		listeners.add(listener);
	}

}
