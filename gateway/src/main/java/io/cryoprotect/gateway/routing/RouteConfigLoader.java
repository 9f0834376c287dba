package io.cryoprotect.gateway.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

import io.cryoprotect.gateway.configfile.ConfigFiles;
import io.cryoprotect.gateway.configfile.ConfigProblem;
import io.cryoprotect.gateway.configfile.ConfigRejectedException;
import io.cryoprotect.gateway.configfile.StrictYamlReader;

/**
 * Parses, validates and builds every route file of a directory into one
 * {@link RouteConfig}, or rejects the whole set. Runs on the watcher thread, never on the
 * event loop.
 */
final class RouteConfigLoader {

	private final ScgRouteBuilder builder;

	private final UnaryOperator<String> placeholders;

	RouteConfigLoader(ScgRouteBuilder builder, UnaryOperator<String> placeholders) {
		this.builder = builder;
		this.placeholders = placeholders;
	}

	static boolean isRouteFile(String relativePath) {
		return !relativePath.contains("/") && (relativePath.endsWith(".yml") || relativePath.endsWith(".yaml"));
	}

	RouteConfig load(ConfigFiles files) {
		files.requireReadable();
		List<ConfigProblem> problems = new ArrayList<>();
		List<RouteConfig.LoadedRoute> loaded = new ArrayList<>();
		files.contents().forEach((name, text) -> {
			if (isRouteFile(name)) {
				loadFile(files.displayName(name), serviceName(name), text, loaded, problems);
			}
		});
		if (loaded.isEmpty() && problems.isEmpty()) {
			problems.add(new ConfigProblem(files.dirName(), "", null, "no route files (*.yml) found"));
		}
		checkAcrossRoutes(loaded, problems);
		if (!problems.isEmpty()) {
			throw new ConfigRejectedException(problems);
		}
		return new RouteConfig(List.copyOf(loaded));
	}

	private void loadFile(String file, String service, String text, List<RouteConfig.LoadedRoute> loaded,
			List<ConfigProblem> problems) {
		RouteFile routeFile;
		try {
			routeFile = StrictYamlReader.read(file, text, RouteFile.class);
		}
		catch (ConfigRejectedException ex) {
			problems.addAll(ex.problems());
			return;
		}
		RouteFileValidator validator = new RouteFileValidator(file, placeholders);
		List<List<UpstreamColour>> colours = validator.validate(routeFile);
		if (!validator.problems().isEmpty()) {
			problems.addAll(validator.problems());
			return;
		}
		for (int i = 0; i < routeFile.routes().size(); i++) {
			RouteFile.Route spec = routeFile.routes().get(i);
			ColourPlan plan = new ColourPlan(spec.id(), service, spec.stickyOrDefault(), colours.get(i));
			try {
				loaded.add(builder.build(file, "routes[" + i + "]", service, spec, plan, placeholders));
			}
			catch (ConfigRejectedException ex) {
				problems.addAll(ex.problems());
			}
		}
	}

	/** Ids must be unique, and no two routes may claim the same path, method and host. */
	private static void checkAcrossRoutes(List<RouteConfig.LoadedRoute> routes, List<ConfigProblem> problems) {
		Map<String, RouteConfig.LoadedRoute> byId = new HashMap<>();
		for (RouteConfig.LoadedRoute route : routes) {
			RouteConfig.LoadedRoute previous = byId.putIfAbsent(route.spec().id(), route);
			if (previous != null) {
				problems.add(new ConfigProblem(route.file(), "routes[id=" + route.spec().id() + "].id",
						route.spec().id(), "duplicate route id, also defined in " + previous.file()));
			}
		}
		for (int a = 0; a < routes.size(); a++) {
			for (int b = a + 1; b < routes.size(); b++) {
				String clash = clash(routes.get(a).spec(), routes.get(b).spec());
				if (clash != null) {
					RouteConfig.LoadedRoute second = routes.get(b);
					problems.add(new ConfigProblem(second.file(), "routes[id=" + second.spec().id() + "].match.paths",
							clash, "path and method already routed by route '" + routes.get(a).spec().id() + "' in "
									+ routes.get(a).file()));
				}
			}
		}
	}

	private static String clash(RouteFile.Route first, RouteFile.Route second) {
		RouteFile.Match m1 = first.match();
		RouteFile.Match m2 = second.match();
		if (!Objects.equals(m1.host(), m2.host()) || !Objects.equals(m1.headers(), m2.headers())
				|| !Objects.equals(first.predicates(), second.predicates())) {
			return null;
		}
		for (String path : m1.paths()) {
			if (m2.paths().contains(path)) {
				String method = overlappingMethod(m1.methods(), m2.methods());
				if (method != null) {
					return method + " " + path;
				}
			}
		}
		return null;
	}

	private static String overlappingMethod(List<String> first, List<String> second) {
		boolean anyFirst = first == null || first.isEmpty();
		boolean anySecond = second == null || second.isEmpty();
		if (anyFirst && anySecond) {
			return "*";
		}
		if (anyFirst) {
			return second.get(0);
		}
		if (anySecond) {
			return first.get(0);
		}
		return first.stream().filter(second::contains).findFirst().orElse(null);
	}

	private static String serviceName(String fileName) {
		int dot = fileName.lastIndexOf('.');
		return dot > 0 ? fileName.substring(0, dot) : fileName;
	}

}
