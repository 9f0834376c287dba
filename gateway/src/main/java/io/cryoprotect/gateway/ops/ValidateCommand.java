package io.cryoprotect.gateway.ops;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.cryoprotect.gateway.GatewayApplication;
import io.cryoprotect.gateway.configfile.ConfigProblem;
import io.cryoprotect.gateway.configfile.ConfigReloader;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.web.context.reactive.GenericReactiveWebApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ResolvableType;

/**
 * {@code validate [--routes DIR] [--filters-conf DIR] [--format text|json]}: checks the
 * route and policy files as the hot reload does, without serving. The gateway's own
 * context is built without a web server (a reactive context that is not a server context,
 * so no Netty listener and no management child context), and each {@link ConfigReloader}
 * loads its directory once, with the same loaders and messages as a running gateway,
 * route ids named in policy files checked against the route files. A policy whose route
 * ids cannot be checked because the route files are invalid adds nothing to the routes'
 * own problems. Exit code 0 when every file is valid, 1 otherwise, 2 on a usage error.
 */
public final class ValidateCommand {

	private ValidateCommand() {
	}

	/**
	 * The result of one run: each config's directory and problems, in the order the
	 * gateway lists them.
	 */
	record Report(Map<String, String> dirs, List<ConfigProblem> problems) {

		boolean valid() {
			return problems.isEmpty();
		}

	}

	public static int run(List<String> args, PrintStream out, PrintStream err) {
		Options options;
		try {
			options = Options.parse(args, List.of("--routes", "--filters-conf", "--format"));
		}
		catch (IllegalArgumentException ex) {
			err.println("validate: " + ex.getMessage());
			err.println("usage: validate [--routes DIR] [--filters-conf DIR] [--format text|json]");
			return 2;
		}
		String format = options.get("--format", "text");
		if (!format.equals("text") && !format.equals("json")) {
			err.println("validate: --format must be text or json, not '" + format + "'");
			return 2;
		}
		Report report = check(options.get("--routes", null), options.get("--filters-conf", null));
		if (format.equals("json")) {
			out.println(json(report));
		}
		else {
			report.problems().forEach(out::println);
			out.println(report.valid() ? "valid: " + report.dirs()
				.entrySet()
				.stream()
				.map(e -> e.getKey() + " (" + e.getValue() + ")")
				.collect(Collectors.joining(", ")) : report.problems().size() + " problem(s) found");
		}
		return report.valid() ? 0 : 1;
	}

	/**
	 * Builds the gateway's beans on the given directories (null: the configured ones) and
	 * collects what they rejected.
	 */
	static Report check(String routesDir, String filtersConfDir) {
		List<String> properties = new ArrayList<>();
		if (routesDir != null) {
			properties.add("--gateway.routing.dir=" + routesDir);
		}
		if (filtersConfDir != null) {
			properties.add("--gateway.filters-conf.dir=" + filtersConfDir);
		}
		// The reloaders' own log lines repeat the problems this command prints.
		properties.add("--logging.level.root=ERROR");
		properties.add("--logging.level.io.cryoprotect.gateway.configfile=OFF");
		SpringApplication application = new SpringApplication(GatewayApplication.class);
		application.setWebApplicationType(WebApplicationType.REACTIVE);
		application.setApplicationContextFactory(type -> new GenericReactiveWebApplicationContext());
		application.setRegisterShutdownHook(false);
		try (ConfigurableApplicationContext context = application.run(properties.toArray(String[]::new))) {
			Map<String, String> dirs = new TreeMap<>();
			List<ConfigProblem> problems = new ArrayList<>();
			for (String name : context.getBeanNamesForType(ResolvableType.forClass(ConfigReloader.class))) {
				ConfigReloader<?> reloader = context.getBean(name, ConfigReloader.class);
				dirs.put(reloader.name(), reloader.dir());
				if (reloader.live() != null) {
					continue;
				}
				ConfigReloader.Rejection rejection = reloader.lastRejection();
				if (rejection != null) {
					rejection.problems().stream().filter(p -> !problems.contains(p)).forEach(problems::add);
				}
				else if (!reloader.waitingForRoutes()) {
					problems.add(new ConfigProblem(reloader.dir(), "", null,
							"cannot read the directory (config '" + reloader.name() + "')"));
				}
			}
			return new Report(dirs, List.copyOf(problems));
		}
	}

	static String json(Report report) {
		Map<String, Object> body = new TreeMap<>();
		body.put("valid", report.valid());
		body.put("configs", report.dirs());
		body.put("problems", report.problems());
		return JsonMapper.shared().writeValueAsString(body);
	}

}
