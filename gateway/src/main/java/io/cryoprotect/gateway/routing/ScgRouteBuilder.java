package io.cryoprotect.gateway.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import io.cryoprotect.gateway.configfile.ConfigProblem;
import io.cryoprotect.gateway.configfile.ConfigRejectedException;
import io.cryoprotect.gateway.support.Preflight;

import org.springframework.cloud.gateway.filter.FilterDefinition;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.cloud.gateway.handler.AsyncPredicate;
import org.springframework.cloud.gateway.handler.predicate.PredicateDefinition;
import org.springframework.cloud.gateway.handler.predicate.RoutePredicateFactory;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ConfigurationService;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

/**
 * Turns a validated route-file entry into a Spring Cloud Gateway {@link Route}, using the
 * same predicate and filter factories (and argument binding) as SCG's own route locator,
 * so native {@code predicates:} and {@code filters:} entries behave exactly as in SCG.
 * Only {@code match.methods} is the gateway's own predicate, since SCG's {@code Method}
 * does not let a CORS preflight through to the route of the method it asks for. Building
 * happens at load time: a bad native entry rejects the file, never a request.
 */
final class ScgRouteBuilder {

	private final Map<String, RoutePredicateFactory<Object>> predicateFactories = new HashMap<>();

	private final Map<String, GatewayFilterFactory<Object>> filterFactories = new HashMap<>();

	private final ConfigurationService configurationService;

	private final String stickyCookieName;

	private final UpstreamHealth health;

	@SuppressWarnings("unchecked")
	ScgRouteBuilder(List<RoutePredicateFactory<?>> predicateFactories, List<GatewayFilterFactory<?>> filterFactories,
			ConfigurationService configurationService, String stickyCookieName, UpstreamHealth health) {
		predicateFactories.forEach(f -> this.predicateFactories.put(f.name(), (RoutePredicateFactory<Object>) f));
		filterFactories.forEach(f -> this.filterFactories.put(f.name(), (GatewayFilterFactory<Object>) f));
		this.configurationService = configurationService;
		this.stickyCookieName = stickyCookieName;
		this.health = health;
	}

	/**
	 * A bound predicate: SCG's asynchronous form, and the plain one where the factory has
	 * it (else null).
	 */
	private record BoundPredicate(AsyncPredicate<ServerWebExchange> async, Predicate<ServerWebExchange> sync) {
	}

	RouteConfig.LoadedRoute build(String file, String key, String service, RouteFile.Route spec, ColourPlan plan,
			UnaryOperator<String> placeholders) {
		List<ConfigProblem> problems = new ArrayList<>();
		Predicate<ServerWebExchange> methods = methods(spec.match().methods());
		AsyncPredicate<ServerWebExchange> predicate = methods == null ? null : AsyncPredicate.from(methods);
		Predicate<ServerWebExchange> test = methods;
		boolean synchronous = true;
		for (Entry<PredicateDefinition> entry : predicateDefinitions(file, key, spec, placeholders, problems)) {
			BoundPredicate next = bindPredicate(file, entry, problems);
			if (next != null) {
				predicate = predicate == null ? next.async() : predicate.and(next.async());
				synchronous &= next.sync() != null;
				if (synchronous) {
					test = test == null ? next.sync() : test.and(next.sync());
				}
			}
		}
		List<GatewayFilter> filters = new ArrayList<>();
		for (Entry<FilterDefinition> entry : filterDefinitions(file, key, spec, placeholders, problems)) {
			GatewayFilter filter = bindFilter(file, entry, problems);
			if (filter != null) {
				filters.add(filter instanceof Ordered ? filter : new OrderedGatewayFilter(filter, filters.size() + 1));
			}
		}
		if (!problems.isEmpty()) {
			throw new ConfigRejectedException(problems);
		}
		filters.add(new BlueGreenGatewayFilter(plan, service, stickyCookieName, health));
		Map<String, Object> metadata = new LinkedHashMap<>(spec.metadata());
		metadata.put("service", service);
		metadata.put(RouteConfig.WEBSOCKET_METADATA, spec.websocketOrDefault());
		Route route = Route.async()
			.id(spec.id())
			.uri(plan.colours().get(0).uri())
			.order(spec.orderOrDefault())
			.asyncPredicate(predicate)
			.replaceFilters(filters)
			.replaceMetadata(metadata)
			.build();
		return new RouteConfig.LoadedRoute(file, service, spec, plan, route, synchronous ? test : null,
				spec.cors() == null ? null : RouteCors.configuration(spec.cors()));
	}

	/**
	 * The route's methods, null for any. A CORS preflight ({@code OPTIONS} asking for a
	 * method) matches the route that takes the method it asks for, so that route passes
	 * it to its upstream or answers it from its {@code cors:} block.
	 */
	private static Predicate<ServerWebExchange> methods(List<String> names) {
		if (names == null || names.isEmpty()) {
			return null;
		}
		Set<HttpMethod> methods = names.stream().map(HttpMethod::valueOf).collect(Collectors.toUnmodifiableSet());
		return exchange -> {
			ServerHttpRequest request = exchange.getRequest();
			if (methods.contains(request.getMethod())) {
				return true;
			}
			HttpMethod requested = Preflight.is(request) ? request.getHeaders().getAccessControlRequestMethod() : null;
			return requested != null && methods.contains(requested);
		};
	}

	private List<Entry<PredicateDefinition>> predicateDefinitions(String file, String key, RouteFile.Route spec,
			UnaryOperator<String> placeholders, List<ConfigProblem> problems) {
		List<Entry<PredicateDefinition>> defs = new ArrayList<>();
		RouteFile.Match match = spec.match();
		defs.add(new Entry<>(key + ".match.paths", new PredicateDefinition("Path=" + String.join(",", match.paths()))));
		if (match.host() != null) {
			defs.add(new Entry<>(key + ".match.host", new PredicateDefinition("Host=" + match.host())));
		}
		if (match.headers() != null) {
			match.headers().forEach((name, regex) -> {
				PredicateDefinition def = new PredicateDefinition();
				def.setName("Header");
				def.addArg("header", name);
				def.addArg("regexp", regex);
				defs.add(new Entry<>(key + ".match.headers." + name, def));
			});
		}
		List<Object> natives = spec.predicates() == null ? List.of() : spec.predicates();
		for (int i = 0; i < natives.size(); i++) {
			String nativeKey = key + ".predicates[" + i + "]";
			NativeDefinition parsed = NativeDefinition.parse(file, nativeKey, natives.get(i), placeholders, problems);
			if (parsed != null) {
				PredicateDefinition def = new PredicateDefinition();
				def.setName(parsed.name());
				def.setArgs(parsed.args());
				defs.add(new Entry<>(nativeKey, def));
			}
		}
		return defs;
	}

	private List<Entry<FilterDefinition>> filterDefinitions(String file, String key, RouteFile.Route spec,
			UnaryOperator<String> placeholders, List<ConfigProblem> problems) {
		List<Entry<FilterDefinition>> defs = new ArrayList<>();
		RouteFile.Rewrite rewrite = spec.rewrite();
		if (rewrite != null && rewrite.stripPrefix() != null) {
			defs.add(new Entry<>(key + ".rewrite.stripPrefix",
					new FilterDefinition("StripPrefix=" + rewrite.stripPrefix())));
		}
		if (rewrite != null && rewrite.replacePrefix() != null) {
			FilterDefinition def = new FilterDefinition();
			def.setName("ReplacePrefix");
			def.addArg("from", rewrite.replacePrefix().from());
			def.addArg("to", rewrite.replacePrefix().to());
			defs.add(new Entry<>(key + ".rewrite.replacePrefix", def));
		}
		List<Object> natives = spec.filters() == null ? List.of() : spec.filters();
		for (int i = 0; i < natives.size(); i++) {
			String nativeKey = key + ".filters[" + i + "]";
			NativeDefinition parsed = NativeDefinition.parse(file, nativeKey, natives.get(i), placeholders, problems);
			if (parsed != null) {
				FilterDefinition def = new FilterDefinition();
				def.setName(parsed.name());
				def.setArgs(parsed.args());
				defs.add(new Entry<>(nativeKey, def));
			}
		}
		return defs;
	}

	private BoundPredicate bindPredicate(String file, Entry<PredicateDefinition> entry, List<ConfigProblem> problems) {
		PredicateDefinition def = entry.definition();
		RoutePredicateFactory<Object> factory = predicateFactories.get(def.getName());
		if (factory == null) {
			problems.add(new ConfigProblem(file, entry.key(), def.getName(),
					"unknown predicate; known: " + predicateFactories.keySet().stream().sorted().toList()));
			return null;
		}
		try {
			Object config = configurationService.with(factory).name(def.getName()).properties(def.getArgs()).bind();
			Predicate<ServerWebExchange> sync;
			try {
				sync = factory.apply(config);
			}
			catch (UnsupportedOperationException asyncOnly) {
				// E.g. ReadBody: only SCG's asynchronous route lookup can evaluate it.
				return new BoundPredicate(factory.applyAsync(config), null);
			}
			// What RoutePredicateFactory.applyAsync does with the plain predicate.
			return new BoundPredicate(AsyncPredicate.from(sync), sync);
		}
		catch (RuntimeException ex) {
			problems.add(new ConfigProblem(file, entry.key(), def.getArgs().toString(), rootMessage(ex)));
			return null;
		}
	}

	private GatewayFilter bindFilter(String file, Entry<FilterDefinition> entry, List<ConfigProblem> problems) {
		FilterDefinition def = entry.definition();
		GatewayFilterFactory<Object> factory = filterFactories.get(def.getName());
		if (factory == null) {
			problems.add(new ConfigProblem(file, entry.key(), def.getName(),
					"unknown filter; known: " + filterFactories.keySet().stream().sorted().toList()));
			return null;
		}
		try {
			Object config = configurationService.with(factory).name(def.getName()).properties(def.getArgs()).bind();
			return factory.apply(config);
		}
		catch (RuntimeException ex) {
			problems.add(new ConfigProblem(file, entry.key(), def.getArgs().toString(), rootMessage(ex)));
			return null;
		}
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
	}

	private record Entry<D>(String key, D definition) {
	}

	/**
	 * A native SCG predicate or filter: the shortcut text {@code Name=a,b} or
	 * {@code {name, args}}.
	 */
	private record NativeDefinition(String name, Map<String, String> args) {

		static NativeDefinition parse(String file, String key, Object raw, UnaryOperator<String> placeholders,
				List<ConfigProblem> problems) {
			try {
				if (raw instanceof String text) {
					PredicateDefinition shortcut = new PredicateDefinition(placeholders.apply(text));
					return new NativeDefinition(shortcut.getName(), shortcut.getArgs());
				}
				if (raw instanceof Map<?, ?> map && map.get("name") instanceof String name
						&& map.keySet().stream().allMatch(k -> "name".equals(k) || "args".equals(k))) {
					Map<String, String> args = new LinkedHashMap<>();
					if (map.get("args") instanceof Map<?, ?> rawArgs) {
						rawArgs.forEach((k, v) -> args.put(String.valueOf(k), placeholders.apply(String.valueOf(v))));
					}
					else if (map.get("args") != null) {
						problems.add(new ConfigProblem(file, key + ".args", String.valueOf(map.get("args")),
								"args must be a mapping"));
						return null;
					}
					return new NativeDefinition(name, args);
				}
				problems.add(new ConfigProblem(file, key, String.valueOf(raw),
						"expected 'Name=arg1,arg2' or a mapping with 'name' and 'args'"));
			}
			catch (RuntimeException ex) {
				problems.add(new ConfigProblem(file, key, String.valueOf(raw), rootMessage(ex)));
			}
			return null;
		}

	}

}
