package io.cryoprotect.gateway.routing;

import java.net.URI;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.cryoprotect.gateway.support.ColourPick;
import io.cryoprotect.gateway.support.UpstreamTarget;

/**
 * The immutable colour split of one route as loaded from its file. A new plan is built on
 * every reload and travels with the route object built from it, so no weight state can
 * outlive a refresh (the stock {@code Weight} predicate's flaw, SCG #922 and #2630).
 *
 * <p>
 * Colours own consecutive slices of the bucket range [0,100) in file order. A sticky
 * caller's bucket is fixed by its key, so moving weight from one colour to the next only
 * ever moves callers across that one boundary, in one direction.
 */
public final class ColourPlan {

	/** Number of buckets that weights (which sum to 100) divide. */
	public static final int BUCKETS = 100;

	private final String routeId;

	private final String stickySalt;

	private final RouteFile.StickyKey sticky;

	private final UpstreamColour[] colours;

	private final int[] upperBounds;

	public ColourPlan(String routeId, String stickySalt, RouteFile.StickyKey sticky, List<UpstreamColour> colours) {
		this.routeId = routeId;
		this.stickySalt = stickySalt;
		this.sticky = sticky;
		this.colours = colours.toArray(UpstreamColour[]::new);
		this.upperBounds = new int[this.colours.length];
		int cumulative = 0;
		for (int i = 0; i < this.colours.length; i++) {
			cumulative += this.colours[i].weight();
			upperBounds[i] = cumulative;
		}
		if (cumulative != BUCKETS) {
			throw new IllegalArgumentException(
					"weights of route " + routeId + " must sum to 100 but sum to " + cumulative);
		}
	}

	public String routeId() {
		return routeId;
	}

	public RouteFile.StickyKey sticky() {
		return sticky;
	}

	public List<UpstreamColour> colours() {
		return List.of(colours);
	}

	/** The colour that owns {@code bucket}, which must lie in [0,100). */
	public UpstreamColour colourForBucket(int bucket) {
		for (int i = 0; i < upperBounds.length; i++) {
			if (bucket < upperBounds[i]) {
				return colours[i];
			}
		}
		throw new IllegalArgumentException("bucket out of range: " + bucket);
	}

	/** The colour with this name, or null. */
	public UpstreamColour colour(String name) {
		for (UpstreamColour c : colours) {
			if (c.name().equals(name)) {
				return c;
			}
		}
		return null;
	}

	/**
	 * The colour {@code name} of {@code service} for a request sent elsewhere than its
	 * pick (the route's fallback colour), with {@code url} pointed at it; null when the
	 * plan has no colour of that name.
	 */
	public ColourPick.Retarget retarget(String service, String name, URI url) {
		UpstreamColour colour = colour(name);
		return colour == null ? null : new ColourPick.Retarget(
				new UpstreamTarget(service, colour.name(), colour.origin()), colour.retarget(url));
	}

	/** The bucket of a pick: random per request, or fixed by the sticky key. */
	public int bucket(CharSequence stickyKey) {
		return stickyKey == null ? ThreadLocalRandom.current().nextInt(BUCKETS)
				: StickyHash.bucket(stickySalt, stickyKey, BUCKETS);
	}

	/**
	 * The colour owning {@code bucket}, or, when it is unhealthy, a healthy colour with
	 * weight chosen by spreading the same bucket over the healthy colours' weights. Null
	 * when no colour with weight is healthy: only the route's fallback may take the
	 * request.
	 */
	public UpstreamColour pick(int bucket, String service, UpstreamHealth health) {
		UpstreamColour owner = colourForBucket(bucket);
		if (health.isHealthy(service, owner.name())) {
			return owner;
		}
		int healthyWeight = 0;
		for (UpstreamColour c : colours) {
			if (c.weight() > 0 && health.isHealthy(service, c.name())) {
				healthyWeight += c.weight();
			}
		}
		if (healthyWeight == 0) {
			return null;
		}
		int spread = bucket * healthyWeight / BUCKETS;
		for (UpstreamColour c : colours) {
			if (c.weight() > 0 && health.isHealthy(service, c.name())) {
				if (spread < c.weight()) {
					return c;
				}
				spread -= c.weight();
			}
		}
		throw new IllegalStateException("unreachable: spread bucket within the healthy weight");
	}

	@Override
	public String toString() {
		StringBuilder sb = new StringBuilder("ColourPlan{").append(routeId).append(", sticky=").append(sticky);
		for (UpstreamColour c : colours) {
			sb.append(", ").append(c.name()).append('=').append(c.weight());
		}
		return sb.append('}').toString();
	}

}
