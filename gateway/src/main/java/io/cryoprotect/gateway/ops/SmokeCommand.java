package io.cryoprotect.gateway.ops;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code smoke --base-url URL --management-url URL [--token-file F] [--report FILE] [--webhook URL]
 * [--routes DIR] [--filters-conf DIR]}: checks a deployed gateway's critical paths over
 * HTTP, one check after another, and reports each as a JUnit XML test case and the whole
 * in one line. Exit code 0 when every check passed, 1 otherwise, 2 on a usage error. The
 * representative requests come from the route files and {@code validation.yml} the
 * deployment serves.
 */
public final class SmokeCommand {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final JsonMapper JSON = JsonMapper.shared();

	/**
	 * Starts the outcome of a check that did not apply to this deployment, followed by
	 * why.
	 */
	private static final String SKIPPED = "skipped: ";

	private final String baseUrl;

	private final String managementUrl;

	private final String token;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

	private final List<Check> checks = new ArrayList<>();

	/**
	 * One check's outcome: its name, and why it failed (null when it passed) or did not
	 * apply.
	 */
	record Check(String name, String failure, String skipped, Duration took) {
	}

	/**
	 * A route as the smoke test uses it: its id, the service (file name), a request to
	 * send and its weighted colours.
	 */
	record Route(String id, String service, String method, String path, List<String> weightedColours) {
	}

	private SmokeCommand(String baseUrl, String managementUrl, String token) {
		this.baseUrl = stripSlash(baseUrl);
		this.managementUrl = stripSlash(managementUrl);
		this.token = token;
	}

	private static String stripSlash(String url) {
		return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
	}

	public static int run(List<String> args, PrintStream out, PrintStream err) {
		Options options;
		String token;
		try {
			options = Options.parse(args, List.of("--base-url", "--management-url", "--token-file", "--report",
					"--webhook", "--routes", "--filters-conf"));
			options.require("--base-url");
			options.require("--management-url");
			String tokenFile = options.get("--token-file", null);
			token = tokenFile == null ? null : Files.readString(Path.of(tokenFile)).strip();
		}
		catch (IllegalArgumentException | IOException ex) {
			err.println("smoke: " + ex.getMessage());
			err.println("usage: smoke --base-url URL --management-url URL [--token-file F] [--report FILE] "
					+ "[--webhook URL] [--routes DIR] [--filters-conf DIR]");
			return 2;
		}
		String routesDir = options.get("--routes", env("GATEWAY_ROUTES_DIR", "routes"));
		String filtersConfDir = options.get("--filters-conf", env("GATEWAY_FILTERS_CONF_DIR", "filters-conf"));
		SmokeCommand smoke = new SmokeCommand(options.require("--base-url"), options.require("--management-url"),
				token);
		smoke.runChecks(Path.of(routesDir), Path.of(filtersConfDir));
		List<Check> failed = smoke.checks.stream().filter(c -> c.failure() != null).toList();
		String summary = "smoke " + (failed.isEmpty() ? "passed" : "FAILED") + ": " + smoke.checks.size() + " checks, "
				+ failed.size() + " failed against " + smoke.baseUrl + (failed.isEmpty() ? ""
						: " (" + failed.stream().map(Check::name).collect(Collectors.joining("; ")) + ")");
		smoke.checks.stream()
			.filter(check -> check.skipped() != null)
			.forEach(check -> out.println("SKIPPED " + check.name() + ": " + check.skipped()));
		failed.forEach(check -> out.println("FAILED " + check.name() + ": " + check.failure()));
		out.println(summary);
		String report = options.get("--report", null);
		if (report != null) {
			try {
				smoke.writeReport(Path.of(report));
			}
			catch (IOException | XMLStreamException ex) {
				err.println("smoke: cannot write the report " + report + ": " + ex.getMessage());
			}
		}
		String webhook = options.get("--webhook", null);
		if (webhook != null && !failed.isEmpty()) {
			smoke.postWebhook(webhook, summary, failed, err);
		}
		return failed.isEmpty() ? 0 : 1;
	}

	private static String env(String name, String fallback) {
		String value = System.getenv(name);
		return value == null || value.isBlank() ? fallback : value;
	}

	private void runChecks(Path routesDir, Path filtersConfDir) {
		List<Route> routes;
		JsonNode endpoints;
		try {
			routes = routes(routesDir, filtersConfDir.resolve("validation.yml"));
			endpoints = yaml(filtersConfDir.resolve("validation.yml")).path("endpoints");
		}
		catch (IOException | RuntimeException ex) {
			record("config files", () -> "cannot read " + routesDir + " or " + filtersConfDir + ": " + ex.getMessage());
			return;
		}
		record("readiness UP", () -> {
			HttpResponse<String> response = send("GET", managementUrl + "/actuator/health/readiness", null, Map.of());
			String status = json(response.body()).path("status").asString("");
			return response.statusCode() == 200 && status.equals("UP") ? null
					: "answered " + response.statusCode() + " " + response.body();
		});
		List<HttpResponse<String>> routeResponses = new ArrayList<>();
		for (Route route : routes) {
			record("route " + route.id() + " answers " + route.method() + " " + route.path(), () -> {
				HttpResponse<String> response = send(route.method(), baseUrl + route.path(),
						route.method().equals("GET") ? null : "{}", Map.of());
				routeResponses.add(response);
				int status = response.statusCode();
				return status < 500 && status != 404 ? null : "answered " + status + " " + abbreviate(response.body());
			});
		}
		Optional<Route> getRoute = routes.stream().filter(r -> r.method().equals("GET")).findFirst();
		getRoute.ifPresent(route -> record("request id echoed", () -> {
			String id = HexFormat.of().formatHex(randomBytes());
			HttpResponse<String> response = send("GET", baseUrl + route.path(), null, Map.of("X-Request-Id", id));
			String echoed = response.headers().firstValue("X-Request-Id").orElse(null);
			return id.equals(echoed) ? null : "sent X-Request-Id " + id + " on GET " + route.path() + ", got " + echoed;
		}));
		record("RateLimit headers present", () -> {
			// Limits in shadow mode (or off) are invisible to clients: no headers to look
			// for.
			HttpResponse<String> limits = send("GET", managementUrl + "/actuator/gatewayratelimits", null, Map.of());
			boolean enforced = false;
			for (JsonNode limit : json(limits.body()).path("limits")) {
				enforced |= limit.path("mode").asString("").equalsIgnoreCase("enforce");
			}
			if (!enforced) {
				return SKIPPED + "no rate limit in enforce mode (gatewayratelimits answered " + limits.statusCode()
						+ ")";
			}
			return routeResponses.stream()
				.anyMatch(r -> r.headers().firstValue("RateLimit").isPresent()
						&& r.headers().firstValue("RateLimit-Policy").isPresent()) ? null
								: "no route answer carried RateLimit and RateLimit-Policy";
		});
		List<String> validated = invalidBodyEndpoints(endpoints);
		if (!validated.isEmpty()) {
			record("invalid body answered 400 with errors[]", () -> {
				// Without a token, an endpoint that demands one answers 401 before
				// validation: the next one decides.
				for (String path : validated) {
					HttpResponse<String> response = send("POST", baseUrl + path, "[]", Map.of());
					if (response.statusCode() == 401 && token == null) {
						continue;
					}
					JsonNode errors = json(response.body()).path("errors");
					return response.statusCode() == 400 && errors.isArray() && !errors.isEmpty() ? null
							: "POST " + path + " answered " + response.statusCode() + " " + abbreviate(response.body());
				}
				return SKIPPED + "every validated POST needs a token; pass --token-file";
			});
		}
		record("unknown path answered 404", () -> {
			String path = "/smoke-no-such-path-" + HexFormat.of().formatHex(randomBytes());
			HttpResponse<String> response = send("GET", baseUrl + path, null, Map.of());
			boolean json = response.headers().firstValue("Content-Type").orElse("").contains("json");
			return response.statusCode() == 404 && json && json(response.body()).path("status").asInt() == 404 ? null
					: "GET " + path + " answered " + response.statusCode() + " " + abbreviate(response.body());
		});
		record("weighted upstream colours healthy", () -> {
			HttpResponse<String> response = send("GET", managementUrl + "/actuator/gatewayupstreams", null, Map.of());
			if (response.statusCode() != 200) {
				return "gatewayupstreams answered " + response.statusCode();
			}
			JsonNode health = json(response.body()).path("health");
			List<String> unhealthy = routes.stream()
				.flatMap(route -> route.weightedColours().stream().map(colour -> route.service() + "/" + colour))
				.distinct()
				.filter(key -> health.has(key) && !health.get(key).asString("").equals("HEALTHY"))
				.toList();
			return unhealthy.isEmpty() ? null : "not healthy: " + String.join(", ", unhealthy);
		});
	}

	/** A check body: null when it passed, else why it failed. */
	@FunctionalInterface
	private interface CheckBody {

		String run() throws IOException, InterruptedException;

	}

	private void record(String name, CheckBody body) {
		long start = System.nanoTime();
		String failure;
		try {
			failure = body.run();
		}
		catch (IOException | RuntimeException ex) {
			// The JDK client's ConnectException has no message: its type is the reason.
			failure = ex.getMessage() == null ? ex.getClass().getSimpleName()
					: ex.getClass().getSimpleName() + ": " + ex.getMessage();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			failure = "interrupted";
		}
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		if (failure != null && failure.startsWith(SKIPPED)) {
			checks.add(new Check(name, null, failure.substring(SKIPPED.length()), took));
		}
		else {
			checks.add(new Check(name, failure, null, took));
		}
	}

	private HttpResponse<String> send(String method, String url, String json, Map<String, String> headers)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
			.timeout(TIMEOUT)
			.header("Accept", "application/json")
			.method(method,
					json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
		if (json != null) {
			request.header("Content-Type", "application/json");
		}
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		headers.forEach(request::header);
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static JsonNode json(String body) {
		try {
			return JSON.readTree(body);
		}
		catch (RuntimeException ex) {
			return JsonNodeFactory.instance.missingNode();
		}
	}

	private static byte[] randomBytes() {
		byte[] bytes = new byte[16];
		ThreadLocalRandom.current().nextBytes(bytes);
		return bytes;
	}

	private static String abbreviate(String body) {
		return body.length() <= 200 ? body : body.substring(0, 197) + "...";
	}

	private static JsonNode yaml(Path file) throws IOException {
		return YAMLMapper.shared().readTree(Files.readString(file));
	}

	/**
	 * One request per route of the route files (WebSocket routes left out): a GET of a
	 * fixed path the route or {@code validation.yml} names when the route takes GET, else
	 * a POST with {@code {}} to a fixed path of its {@code validation.yml} endpoints.
	 * Route files name placeholders, not the upstreams' own URLs, so the colours are
	 * taken by weight only.
	 */
	static List<Route> routes(Path routesDir, Path validationFile) throws IOException {
		JsonNode endpoints = Files.exists(validationFile) ? yaml(validationFile).path("endpoints")
				: JsonNodeFactory.instance.arrayNode();
		List<Route> routes = new ArrayList<>();
		List<Path> files;
		try (Stream<Path> list = Files.list(routesDir)) {
			files = list.filter(p -> p.getFileName().toString().matches(".*\\.ya?ml")).sorted().toList();
		}
		for (Path file : files) {
			String service = routesDir.relativize(file).toString().replaceFirst("\\.ya?ml$", "");
			for (JsonNode route : yaml(file).path("routes")) {
				if (route.path("websocket").asBoolean(false)) {
					continue;
				}
				String id = route.path("id").asString();
				List<String> colours = new ArrayList<>();
				route.path("upstreams").properties().forEach(e -> {
					if (e.getValue().path("weight").asInt(0) > 0) {
						colours.add(e.getKey());
					}
				});
				List<String> methods = new ArrayList<>();
				route.path("match").path("methods").forEach(m -> methods.add(m.asString()));
				boolean get = methods.isEmpty() || methods.contains("GET");
				List<String> paths = new ArrayList<>();
				route.path("match").path("paths").forEach(p -> paths.add(p.asString()));
				Optional<String[]> request = Optional.empty();
				if (get) {
					request = endpointsOf(endpoints, id).filter(e -> e[0].equals("GET"))
						.findFirst()
						.or(() -> paths.stream()
							.filter(SmokeCommand::fixed)
							.findFirst()
							.map(p -> new String[] { "GET", p }));
				}
				request = request.or(() -> endpointsOf(endpoints, id).findFirst());
				request.ifPresent(r -> routes.add(new Route(id, service, r[0], r[1], colours)));
			}
		}
		return routes;
	}

	private static Stream<String[]> endpointsOf(JsonNode endpoints, String routeId) {
		List<String[]> out = new ArrayList<>();
		for (JsonNode endpoint : endpoints) {
			String path = endpoint.path("path").asString("");
			if (endpoint.path("route").asString("").equals(routeId) && fixed(path)) {
				out.add(new String[] { endpoint.path("method").asString("GET"), path });
			}
		}
		return out.stream();
	}

	private static boolean fixed(String path) {
		return !path.isEmpty() && !path.contains("{") && !path.contains("*");
	}

	/**
	 * The POST endpoints of {@code validation.yml} with a request schema and a fixed
	 * path, in file order.
	 */
	private static List<String> invalidBodyEndpoints(JsonNode endpoints) {
		List<String> paths = new ArrayList<>();
		for (JsonNode endpoint : endpoints) {
			String path = endpoint.path("path").asString("");
			if (endpoint.path("method").asString("").equals("POST") && endpoint.has("requestSchema") && fixed(path)) {
				paths.add(path);
			}
		}
		return paths;
	}

	private void writeReport(Path file) throws IOException, XMLStreamException {
		try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
			XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(writer);
			xml.writeStartDocument("UTF-8", "1.0");
			xml.writeStartElement("testsuite");
			xml.writeAttribute("name", "gateway smoke " + baseUrl);
			xml.writeAttribute("tests", Integer.toString(checks.size()));
			xml.writeAttribute("failures", Long.toString(checks.stream().filter(c -> c.failure() != null).count()));
			xml.writeAttribute("errors", "0");
			xml.writeAttribute("skipped", Long.toString(checks.stream().filter(c -> c.skipped() != null).count()));
			xml.writeAttribute("time", seconds(checks.stream().map(Check::took).reduce(Duration.ZERO, Duration::plus)));
			for (Check check : checks) {
				xml.writeStartElement("testcase");
				xml.writeAttribute("classname", "smoke");
				xml.writeAttribute("name", check.name());
				xml.writeAttribute("time", seconds(check.took()));
				if (check.skipped() != null) {
					xml.writeEmptyElement("skipped");
					xml.writeAttribute("message", check.skipped());
				}
				if (check.failure() != null) {
					xml.writeStartElement("failure");
					xml.writeAttribute("message", check.failure());
					xml.writeCharacters(check.failure());
					xml.writeEndElement();
				}
				xml.writeEndElement();
			}
			xml.writeEndElement();
			xml.writeEndDocument();
			xml.close();
		}
	}

	private static String seconds(Duration duration) {
		return String.format(java.util.Locale.ROOT, "%.3f", duration.toNanos() / 1e9);
	}

	/**
	 * Slack's incoming-webhook format: a {@code text} with the summary and each failed
	 * check.
	 */
	private void postWebhook(String url, String summary, List<Check> failed, PrintStream err) {
		String text = summary + "\n"
				+ failed.stream().map(c -> "- " + c.name() + ": " + c.failure()).collect(Collectors.joining("\n"));
		String body = JSON.writeValueAsString(Map.of("text", text));
		try {
			HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
				.timeout(TIMEOUT)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(body))
				.build(), HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() >= 300) {
				err.println("smoke: the webhook answered " + response.statusCode());
			}
		}
		catch (IOException ex) {
			err.println("smoke: cannot post to the webhook: " + ex.getMessage());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
