package io.cryoprotect.gateway.k8s;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.cryoprotect.gateway.health.DrainProperties;
import io.cryoprotect.gateway.support.ApplicationYml;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretProjection;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.introspect.Annotated;
import tools.jackson.databind.introspect.JacksonAnnotationIntrospector;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.withinPercentage;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kustomize overlays under {@code k8s/} render, every object parses strictly into
 * fabric8's Kubernetes model (an unknown or misspelt field fails), and the manifests
 * agree with the application they run: its ports, probe paths, environment variables,
 * config directories, shutdown timing and the image's heap sizing. The overlays are
 * rendered with {@code kubectl kustomize} (no cluster is used) or, where kubectl is not
 * on the PATH, with {@link KustomizeSubset}, whose output is compared with kubectl's
 * wherever both exist.
 */
class K8sManifestsTests {

	private static final Path ROOT = Path.of("..");

	private static final String GATEWAY = "cryoprotect-gateway";

	private static final Map<String, Class<? extends HasMetadata>> MODEL = Map.of("v1/ConfigMap", ConfigMap.class,
			"v1/Secret", Secret.class, "v1/Service", Service.class, "apps/v1/Deployment", Deployment.class,
			"policy/v1/PodDisruptionBudget", PodDisruptionBudget.class, "autoscaling/v2/HorizontalPodAutoscaler",
			HorizontalPodAutoscaler.class, "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
			"monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class, "monitoring.coreos.com/v1/PrometheusRule",
			PrometheusRule.class);

	/**
	 * fabric8's model classes keep unknown fields in an "additionalProperties" map (a
	 * Jackson any-setter); without it, Jackson rejects them.
	 */
	private static final ObjectMapper STRICT = YAMLMapper.builder()
		.annotationIntrospector(new JacksonAnnotationIntrospector() {

			@Override
			public Boolean hasAnySetter(MapperConfig<?> config, Annotated annotated) {
				return Boolean.FALSE;
			}

		})
		.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.build();

	private static final ObjectMapper YAML = YAMLMapper.builder().build();

	private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::([^}]*))?}");

	private static final Map<String, Rendered> RENDERED = new ConcurrentHashMap<>();

	private static final boolean KUBECTL = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
		.anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, "kubectl")));

	/** The gateway's {@code @ConfigurationProperties} classes, scanned once. */
	private static List<Class<?>> propertiesClasses;

	/**
	 * The properties documented by the configuration metadata on the class path (Spring
	 * Boot's jars), read once.
	 */
	private static List<ConfigurationPropertyName> springBootProperties;

	@ParameterizedTest
	@ValueSource(strings = { "staging", "production" })
	void overlayRendersIntoKnownKinds(String overlay) {
		Rendered rendered = rendered(overlay);
		assertThat(rendered.objects()).extracting(o -> o.getKind())
			.contains("Deployment", "Service", "ConfigMap", "PodDisruptionBudget", "HorizontalPodAutoscaler",
					"NetworkPolicy", "ServiceMonitor", "PrometheusRule");
		String namespace = overlay.equals("production") ? "cryoprotect" : "cryoprotect-staging";
		assertThat(rendered.objects()).allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo(namespace));
	}

	@Test
	void unknownFieldOrKindFailsTheParse() {
		String text = rendered("production").text();
		assertThat(text).contains("readinessProbe:");
		assertThatThrownBy(() -> parse(text.replace("readinessProbe:", "readinesProbe:")))
			.isInstanceOf(UnrecognizedPropertyException.class)
			.hasMessageContaining("readinesProbe");
		assertThatThrownBy(() -> parse("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n"))
			.hasMessageContaining("v1/Pod");
	}

	@ParameterizedTest
	@ValueSource(strings = { "staging", "production" })
	void portsAndProbesAreTheApplications(String overlay) throws IOException {
		Rendered rendered = rendered(overlay);
		JsonNode app = applicationYml();
		int serverPort = Integer.parseInt(placeholderDefault(app.at("/server/port").asString()));
		int managementPort = Integer.parseInt(placeholderDefault(app.at("/management/server/port").asString()));
		Container gateway = gatewayContainer(rendered);
		assertThat(containerPort(gateway, "http")).isEqualTo(serverPort);
		assertThat(containerPort(gateway, "management")).isEqualTo(managementPort);

		// Probe groups: /actuator/health/<group>, with the probes switched on and the
		// groups defined.
		assertThat(app.at("/management/endpoints/web/base-path").isMissingNode()).isTrue();
		assertThat(app.at("/management/endpoint/health/probes/enabled").asBoolean()).isTrue();
		JsonNode groups = app.at("/management/endpoint/health/group");
		assertThat(groups.has("liveness") && groups.has("readiness")).isTrue();
		for (Probe probe : List.of(gateway.getStartupProbe(), gateway.getLivenessProbe())) {
			assertHttpProbe(gateway, probe, managementPort, "/actuator/health/liveness");
		}
		assertHttpProbe(gateway, gateway.getReadinessProbe(), managementPort, "/actuator/health/readiness");

		// Services: public 80 -> http only; management -> 8081 only.
		Service publicService = rendered.one(Service.class, GATEWAY);
		assertThat(publicService.getSpec().getPorts()).extracting(ServicePort::getTargetPort)
			.containsExactly(new IntOrString("http"));
		Service managementService = rendered.one(Service.class, GATEWAY + "-management");
		assertThat(managementService.getSpec().getPorts()).extracting(ServicePort::getTargetPort)
			.containsExactly(new IntOrString("management"));

		// Prometheus scrapes the endpoint the application exposes, through the management
		// Service.
		assertThat(app.at("/management/endpoints/web/exposure/include").asString().split(",")).contains("prometheus");
		ServiceMonitor monitor = rendered.one(ServiceMonitor.class, GATEWAY);
		assertThat(managementService.getMetadata().getLabels())
			.containsAllEntriesOf(monitor.getSpec().getSelector().getMatchLabels());
		assertThat(publicService.getMetadata().getLabels()).doesNotContainEntry("app.kubernetes.io/component",
				"management");
		assertThat(monitor.getSpec().getEndpoints()).singleElement().satisfies(endpoint -> {
			assertThat(endpoint.getPort()).isEqualTo("management");
			assertThat(endpoint.getPath()).isEqualTo("/actuator/prometheus");
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "staging", "production" })
	void everyEnvironmentVariableIsOneTheApplicationReads(String overlay) throws IOException {
		Set<String> placeholders = new TreeSet<>(placeholders(Files.readString(applicationYmlPath())));
		try (Stream<Path> routes = Files.list(ROOT.resolve("routes"))) {
			for (Path file : routes.filter(K8sManifestsTests::isYaml).toList()) {
				placeholders.addAll(placeholders(Files.readString(file)));
			}
		}
		List<Class<?>> propertiesClasses = configurationPropertiesClasses();
		assertThat(gatewayContainer(rendered(overlay)).getEnv()).isNotEmpty()
			.allSatisfy(env -> assertThat(placeholders.contains(env.getName())
					|| bindsToConfigurationProperties(env.getName(), propertiesClasses)
					|| setsSpringBootProperty(env.getName()))
				.as("%s is neither a ${...} placeholder of application.yml or a route file nor a property the gateway or "
						+ "Spring Boot binds", env.getName())
				.isTrue());
	}

	@Test
	void misspeltSpringBootVariableSetsNothing() {
		assertThat(setsSpringBootProperty("SPRING_PROFILES_ACTIVE")).isTrue();
		assertThat(setsSpringBootProperty("SPRING_PROFILE_ACTIVE")).isFalse();
	}

	@ParameterizedTest
	@CsvSource({ "staging, staging", "production, prod" })
	void overlayActivatesItsProfile(String overlay, String profile) {
		assertThat(env(gatewayContainer(rendered(overlay)), "SPRING_PROFILES_ACTIVE")).isEqualTo(profile);
		assertThat(Path.of("src/main/resources/application-" + profile + ".yml")).isRegularFile();
	}

	/**
	 * Secrets reach the gateway as files in the directory its configtree import reads,
	 * each named as the variable it sets, and never through the environment.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "staging", "production" })
	void secretsAreFilesInTheImportedConfigTree(String overlay) throws IOException {
		Matcher configTree = Pattern.compile("optional:configtree:\\$\\{GATEWAY_SECRETS_DIR:([^}]+)}/")
			.matcher(applicationYml().at("/spring/config/import").asString());
		assertThat(configTree.matches()).isTrue();
		Rendered rendered = rendered(overlay);
		Container gateway = gatewayContainer(rendered);
		PodSpec pod = rendered.one(Deployment.class, GATEWAY).getSpec().getTemplate().getSpec();
		Volume secrets = volumeMountedAt(pod, gateway, configTree.group(1));
		assertThat(gateway.getVolumeMounts()).filteredOn(m -> m.getName().equals(secrets.getName()))
			.singleElement()
			.satisfies(mount -> assertThat(mount.getReadOnly()).isTrue());
		List<VolumeProjection> sources = secrets.getProjected().getSources();
		assertThat(sources).isNotEmpty().allSatisfy(source -> assertThat(source.getSecret()).isNotNull());
		Set<String> placeholders = placeholders(Files.readString(applicationYmlPath()));
		assertThat(sources).flatExtracting(source -> source.getSecret().getItems())
			.extracting(KeyToPath::getPath)
			.isNotEmpty()
			.allSatisfy(file -> assertThat(placeholders).contains(file));
		assertThat(gateway.getEnv())
			.allSatisfy(env -> assertThat(env.getValueFrom() == null || env.getValueFrom().getSecretKeyRef() == null)
				.as("%s from a Secret", env.getName())
				.isTrue());
		assertThat(gateway.getEnvFrom()).allSatisfy(from -> assertThat(from.getSecretRef()).isNull());
	}

	@Test
	void misspeltVariableBindsToNothing() {
		List<Class<?>> propertiesClasses = configurationPropertiesClasses();
		assertThat(propertiesClasses).isNotEmpty();
		assertThat(bindsToConfigurationProperties("GATEWAY_RATELIMIT_REDIS_URL", propertiesClasses)).isTrue();
		assertThat(bindsToConfigurationProperties("GATEWAY_RATELIMIT_REDIS_ULR", propertiesClasses)).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "staging", "production" })
	void configDirectoriesAreTheMountedConfigMaps(String overlay) throws IOException {
		Rendered rendered = rendered(overlay);
		Deployment deployment = rendered.one(Deployment.class, GATEWAY);
		Container gateway = gatewayContainer(rendered);
		PodSpec pod = deployment.getSpec().getTemplate().getSpec();

		// Hot reload needs fixed ConfigMap names (no hash suffix) and whole-directory
		// mounts (no subPath).
		ConfigMap routes = rendered.one(ConfigMap.class, GATEWAY + "-routes");
		Volume routesVolume = volumeMountedAt(pod, gateway, env(gateway, "GATEWAY_ROUTES_DIR"));
		assertThat(routesVolume.getConfigMap().getName()).isEqualTo(routes.getMetadata().getName());
		assertThat(routesVolume.getConfigMap().getItems()).isEmpty();
		try (Stream<Path> files = Files.list(ROOT.resolve("routes"))) {
			assertThat(routes.getData().keySet()).containsExactlyInAnyOrderElementsOf(
					files.filter(K8sManifestsTests::isYaml).map(f -> f.getFileName().toString()).toList());
		}

		ConfigMap filtersConf = rendered.one(ConfigMap.class, GATEWAY + "-filters-conf");
		Volume filtersVolume = volumeMountedAt(pod, gateway, env(gateway, "GATEWAY_FILTERS_CONF_DIR"));
		assertThat(filtersVolume.getConfigMap().getName()).isEqualTo(filtersConf.getMetadata().getName());
		List<KeyToPath> items = filtersVolume.getConfigMap().getItems();
		assertThat(items).extracting(KeyToPath::getKey)
			.containsExactlyInAnyOrderElementsOf(filtersConf.getData().keySet());
		Path filtersDir = ROOT.resolve("filters-conf");
		Set<String> shipped = new TreeSet<>();
		try (Stream<Path> files = Files.walk(filtersDir)) {
			// The policy files' own schemas (*.schema.json) are for editors; the gateway
			// reads the copies in its jar.
			files.filter(f -> isYaml(f) || f.toString().endsWith(".json") && !f.toString().endsWith(".schema.json"))
				.forEach(f -> shipped.add(filtersDir.relativize(f).toString().replace('\\', '/')));
		}
		assertThat(items).extracting(KeyToPath::getPath).containsExactlyInAnyOrderElementsOf(shipped);
		for (KeyToPath item : items) {
			assertThat(filtersConf.getData().get(item.getKey())).as(item.getPath())
				.isEqualTo(Files.readString(filtersDir.resolve(item.getPath())));
		}

		assertThat(gateway.getVolumeMounts()).allSatisfy(mount -> assertThat(mount.getSubPath()).isNull());
	}

	@ParameterizedTest
	@ValueSource(strings = { "staging", "production" })
	void drainFitsIntoTheGracePeriod(String overlay) throws IOException {
		JsonNode app = applicationYml();
		Duration drainDelay = ApplicationYml.binder(Map.of())
			.bindOrCreate("gateway.drain", DrainProperties.class)
			.delay();
		Duration shutdownPhase = DurationStyle
			.detectAndParse(app.at("/spring/lifecycle/timeout-per-shutdown-phase").asString());
		Deployment deployment = rendered(overlay).one(Deployment.class, GATEWAY);
		Duration grace = Duration
			.ofSeconds(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds());
		assertThat(drainDelay.plus(shutdownPhase)).isLessThan(grace);

		// The readiness probe notices the drain (readiness DOWN) well within the delay,
		// so the pod leaves
		// the endpoints while it still serves.
		Probe readiness = gatewayContainer(rendered(overlay)).getReadinessProbe();
		assertThat(Duration.ofSeconds((long) readiness.getPeriodSeconds() * readiness.getFailureThreshold()))
			.isLessThan(drainDelay);
		assertThat(gatewayContainer(rendered(overlay)).getLifecycle()).isNull();
	}

	@ParameterizedTest
	@ValueSource(strings = { "staging", "production" })
	void memoryLimitIsWhatTheImagesHeapIsSizedFor(String overlay) throws IOException {
		String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
		Matcher sizing = Pattern
			.compile("Sized for a (\\d+) MiB container.*\\n#\\s+heap\\s+MaxRAMPercentage=\\d+\\s+(\\d+) MiB")
			.matcher(dockerfile);
		assertThat(sizing.find()).as("the Dockerfile states the container size its JVM flags are for").isTrue();
		Matcher options = Pattern.compile("ENV JAVA_TOOL_OPTIONS=\"([^\"]*)\"").matcher(dockerfile);
		assertThat(options.find()).isTrue();
		// The heap follows the container's limit, so the limit is what sizes it.
		assertThat(options.group(1)).doesNotContain("-Xmx").contains("-XX:MaxRAMPercentage=");
		Matcher percentage = Pattern.compile("-XX:MaxRAMPercentage=(\\d+)").matcher(options.group(1));
		assertThat(percentage.find()).isTrue();

		Container gateway = gatewayContainer(rendered(overlay));
		long limitMiB = mebibytes(gateway.getResources().getLimits().get("memory"));
		assertThat(limitMiB).isEqualTo(Long.parseLong(sizing.group(1)));
		assertThat(gateway.getResources().getRequests().get("memory"))
			.isEqualTo(gateway.getResources().getLimits().get("memory"));
		long heapMiB = limitMiB * Long.parseLong(percentage.group(1)) / 100;
		assertThat(heapMiB).isCloseTo(Long.parseLong(sizing.group(2)), withinPercentage(10));
		// Netty's direct buffers are capped too, and heap plus direct leave room for the
		// JVM's native memory.
		Matcher direct = Pattern.compile("-XX:MaxDirectMemorySize=(\\d+)m").matcher(options.group(1));
		assertThat(direct.find()).as("the image caps direct memory").isTrue();
		assertThat(heapMiB + Long.parseLong(direct.group(1))).isLessThan(limitMiB);
		// CPU: a request (the autoscaler's reference), no limit (CFS throttling would add
		// tail latency).
		assertThat(gateway.getResources().getRequests()).containsKey("cpu");
		assertThat(gateway.getResources().getLimits()).doesNotContainKey("cpu");
	}

	@ParameterizedTest
	@ValueSource(strings = { "staging", "production" })
	void podRunsLockedDown(String overlay) throws IOException {
		Deployment deployment = rendered(overlay).one(Deployment.class, GATEWAY);
		PodSpec pod = deployment.getSpec().getTemplate().getSpec();
		Container gateway = gatewayContainer(rendered(overlay));
		Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$")
			.matcher(Files.readString(ROOT.resolve("Dockerfile")));
		assertThat(user.find()).isTrue();
		assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
		assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(Long.parseLong(user.group(1)));
		assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
		assertThat(pod.getAutomountServiceAccountToken()).isFalse();
		assertThat(gateway.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
		assertThat(gateway.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
		assertThat(gateway.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
		assertThat(volumeMountedAt(pod, gateway, "/tmp").getEmptyDir()).isNotNull();
		assertThat(pod.getTopologySpreadConstraints()).extracting(c -> c.getTopologyKey())
			.contains("kubernetes.io/hostname", "topology.kubernetes.io/zone");
	}

	@ParameterizedTest
	@ValueSource(strings = { "staging", "production" })
	void autoscalerOwnsTheReplicaCount(String overlay) {
		Rendered rendered = rendered(overlay);
		Deployment deployment = rendered.one(Deployment.class, GATEWAY);
		HorizontalPodAutoscaler hpa = rendered.one(HorizontalPodAutoscaler.class, GATEWAY);
		assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
		assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(deployment.getMetadata().getName());
		assertThat(deployment.getSpec().getReplicas()).isNull();
		assertThat(hpa.getSpec().getMetrics()).extracting(MetricSpec::getType).containsExactly("Resource");
		assertThat(hpa.getSpec().getMetrics().get(0).getResource().getName()).isEqualTo("cpu");
		PodDisruptionBudget pdb = rendered.one(PodDisruptionBudget.class, GATEWAY);
		assertThat(hpa.getSpec().getMinReplicas()).isGreaterThan(pdb.getSpec().getMinAvailable().getIntVal());
		assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(overlay.equals("production") ? 3 : 2);
	}

	@ParameterizedTest
	@ValueSource(strings = { "staging", "production" })
	void networkPolicyLetsThroughOnlyWhatTheGatewayNeeds(String overlay) {
		Rendered rendered = rendered(overlay);
		NetworkPolicy policy = rendered.one(NetworkPolicy.class, GATEWAY);
		Container gateway = gatewayContainer(rendered);
		Deployment deployment = rendered.one(Deployment.class, GATEWAY);
		assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
			.containsAllEntriesOf(policy.getSpec().getPodSelector().getMatchLabels());
		assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");

		// Ingress: the public port from anywhere, the management port from the monitoring
		// namespace only.
		List<NetworkPolicyIngressRule> ingress = policy.getSpec().getIngress();
		assertThat(ingress).hasSize(2);
		NetworkPolicyIngressRule publicRule = ingressRuleFor(ingress, gateway, 8080);
		assertThat(publicRule.getFrom()).isEmpty();
		NetworkPolicyIngressRule managementRule = ingressRuleFor(ingress, gateway, 8081);
		assertThat(managementRule.getFrom()).singleElement().satisfies(peer -> {
			assertThat(peer.getPodSelector()).isNull();
			assertThat(peer.getIpBlock()).isNull();
			assertThat(peer.getNamespaceSelector().getMatchLabels())
				.containsExactly(Map.entry("kubernetes.io/metadata.name", "monitoring"));
		});
		assertThat(publicRule.getPorts()).extracting(p -> resolve(gateway, p.getPort())).containsExactly(8080);

		// Egress: DNS, and the ports of every upstream and of Redis; nothing else.
		List<NetworkPolicyEgressRule> egress = policy.getSpec().getEgress();
		NetworkPolicyEgressRule dns = egress.get(0);
		assertThat(dns.getPorts()).extracting(NetworkPolicyPort::getPort, NetworkPolicyPort::getProtocol)
			.containsExactlyInAnyOrder(tuple(new IntOrString(53), "UDP"), tuple(new IntOrString(53), "TCP"));
		assertThat(dns.getTo()).extracting(NetworkPolicyPeer::getNamespaceSelector).doesNotContainNull();
		Set<Integer> allowed = egress.stream()
			.skip(1)
			.flatMap(rule -> rule.getPorts().stream())
			.map(p -> p.getPort().getIntVal())
			.collect(Collectors.toCollection(TreeSet::new));
		Set<Integer> needed = new TreeSet<>();
		for (String url : rendered.one(ConfigMap.class, GATEWAY + "-upstreams").getData().values()) {
			needed.add(port(URI.create(url)));
		}
		rendered.redisUrl().ifPresent(url -> needed.add(port(URI.create(url))));
		needed.add(6379);
		assertThat(allowed).isEqualTo(needed);
	}

	@Test
	void productionRequiresTheRedisSecret() {
		Rendered production = rendered("production");
		SecretProjection ref = production.redisSecret();
		assertThat(ref.getName()).isEqualTo(GATEWAY + "-redis");
		assertThat(ref.getOptional()).isFalse();
		// Created out of band, never rendered from the repository.
		assertThat(production.objects()).noneMatch(Secret.class::isInstance);
		assertThat(production.objects()).noneMatch(o -> o.getMetadata().getName().equals(GATEWAY + "-redis"));
	}

	@Test
	void stagingRunsItsOwnRedisAndPointsTheGatewayAtIt() {
		Rendered staging = rendered("staging");
		SecretProjection ref = staging.redisSecret();
		assertThat(ref.getOptional()).isFalse();
		URI url = URI.create(staging.redisUrl().orElseThrow());
		assertThat(url.getScheme()).isEqualTo("redis");
		Service service = staging.one(Service.class, url.getHost());
		assertThat(service.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(url.getPort());
		Deployment redis = staging.one(Deployment.class, url.getHost());
		assertThat(redis.getSpec().getTemplate().getMetadata().getLabels())
			.containsAllEntriesOf(service.getSpec().getSelector());
		NetworkPolicy redisPolicy = staging.one(NetworkPolicy.class, url.getHost());
		assertThat(redisPolicy.getSpec().getIngress()).singleElement()
			.satisfies(rule -> assertThat(rule.getFrom()).singleElement()
				.satisfies(peer -> assertThat(peer.getPodSelector().getMatchLabels())
					.containsExactly(Map.entry("app.kubernetes.io/name", GATEWAY))));
	}

	/**
	 * The PrometheusRule is generated from the rule file promtool checks; a stale copy
	 * fails here.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "staging", "production" })
	void prometheusRuleIsTheAlertRuleFile(String overlay) throws IOException {
		JsonNode source = YAML.readTree(Files.readString(ROOT.resolve("k8s/monitoring/gateway-alerts.yml")));
		JsonNode rendered = rendered(overlay).nodes()
			.stream()
			.filter(n -> n.path("kind").asString().equals("PrometheusRule"))
			.findFirst()
			.orElseThrow();
		assertThat(rendered.at("/spec/groups"))
			.as("k8s/base/prometheusrule.yaml is stale: run k8s/generate-prometheusrule")
			.isEqualTo(source.get("groups"));
		assertThat(rendered.at("/spec").size()).isEqualTo(1);
	}

	/**
	 * The renderer used where kubectl is missing gives what kubectl gives, but for
	 * generated names' hashes.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "staging", "production" })
	void subsetRendererAgreesWithKubectl(String overlay) {
		assumeTrue(KUBECTL, "kubectl is not on the PATH: nothing to compare with");
		KustomizeSubset subset = new KustomizeSubset();
		Map<String, JsonNode> own = byKindAndName(subset.render(ROOT.resolve("k8s/overlays/" + overlay)));
		String kubectl = kustomize(overlay);
		for (String name : subset.hashedNames()) {
			kubectl = kubectl.replaceAll(Pattern.quote(name) + "-[a-z0-9]{10}\\b", name);
		}
		Map<String, JsonNode> reference = byKindAndName(
				YAML.readerFor(JsonNode.class).<JsonNode>readValues(kubectl).readAll());
		assertThat(own.keySet()).isEqualTo(reference.keySet());
		reference.forEach((key, object) -> assertThat(own.get(key)).as(key).isEqualTo(object));
	}

	private static Map<String, JsonNode> byKindAndName(List<? extends JsonNode> objects) {
		Map<String, JsonNode> map = new TreeMap<>();
		for (JsonNode object : objects) {
			map.put(object.path("kind").asString() + "/" + object.at("/metadata/name").asString(),
					sortNamedLists(object));
		}
		return map;
	}

	/**
	 * Lists of named objects (containers, env, volumes, ports) are sets to Kubernetes;
	 * their order is not compared.
	 */
	private static JsonNode sortNamedLists(JsonNode node) {
		if (node.isObject()) {
			ObjectNode copy = YAML.createObjectNode();
			node.properties().forEach(e -> copy.set(e.getKey(), sortNamedLists(e.getValue())));
			return copy;
		}
		if (node.isArray()) {
			List<JsonNode> elements = new ArrayList<>();
			node.forEach(e -> elements.add(sortNamedLists(e)));
			if (elements.stream().allMatch(e -> e.isObject() && e.has("name"))) {
				elements.sort(Comparator.comparing(e -> e.get("name").asString()));
			}
			ArrayNode copy = YAML.createArrayNode();
			elements.forEach(copy::add);
			return copy;
		}
		return node;
	}

	// ---- rendering
	// ------------------------------------------------------------------------------

	private record Rendered(String text, List<JsonNode> nodes, List<HasMetadata> objects) {

		<T extends HasMetadata> T one(Class<T> type, String name) {
			List<T> matches = objects.stream()
				.filter(type::isInstance)
				.map(type::cast)
				.filter(o -> o.getMetadata().getName().equals(name))
				.toList();
			assertThat(matches).as("%s %s", type.getSimpleName(), name).hasSize(1);
			return matches.get(0);
		}

		/**
		 * The Secret source of the gateway's secrets volume that becomes the file
		 * GATEWAY_RATELIMIT_REDIS_URL.
		 */
		SecretProjection redisSecret() {
			Volume secrets = one(Deployment.class, GATEWAY).getSpec()
				.getTemplate()
				.getSpec()
				.getVolumes()
				.stream()
				.filter(v -> v.getName().equals("secrets"))
				.findFirst()
				.orElseThrow(() -> new AssertionError("no volume secrets"));
			List<SecretProjection> redis = secrets.getProjected()
				.getSources()
				.stream()
				.map(VolumeProjection::getSecret)
				.filter(s -> s.getItems().stream().anyMatch(i -> i.getPath().equals("GATEWAY_RATELIMIT_REDIS_URL")))
				.toList();
			assertThat(redis).as("the Secret source of GATEWAY_RATELIMIT_REDIS_URL").hasSize(1);
			return redis.get(0);
		}

		Optional<String> redisUrl() {
			SecretProjection source = redisSecret();
			String key = source.getItems()
				.stream()
				.filter(i -> i.getPath().equals("GATEWAY_RATELIMIT_REDIS_URL"))
				.findFirst()
				.orElseThrow()
				.getKey();
			return objects.stream()
				.filter(Secret.class::isInstance)
				.map(Secret.class::cast)
				.filter(s -> s.getMetadata().getName().equals(source.getName()))
				.findFirst()
				.map(s -> decode(s.getData().get(key)));
		}

	}

	private static Rendered rendered(String overlay) {
		return RENDERED.computeIfAbsent(overlay, K8sManifestsTests::render);
	}

	private static Rendered render(String overlay) {
		String text = KUBECTL ? kustomize(overlay) : renderWithoutKubectl(overlay);
		List<JsonNode> nodes = STRICT.readerFor(JsonNode.class).<JsonNode>readValues(text).readAll();
		return new Rendered(text, nodes, parse(text));
	}

	private static List<HasMetadata> parse(String text) {
		List<HasMetadata> objects = new ArrayList<>();
		for (JsonNode node : STRICT.readerFor(JsonNode.class).<JsonNode>readValues(text).readAll()) {
			String type = node.path("apiVersion").asString() + "/" + node.path("kind").asString();
			Class<? extends HasMetadata> model = MODEL.get(type);
			assertThat(model).as("a model class for " + type).isNotNull();
			objects.add(STRICT.treeToValue(node, model));
		}
		return objects;
	}

	private static String kustomize(String overlay) {
		ProcessBuilder builder = new ProcessBuilder("kubectl", "kustomize", "--load-restrictor", "LoadRestrictionsNone",
				"k8s/overlays/" + overlay)
			.directory(ROOT.toFile())
			.redirectErrorStream(false);
		try {
			Process process = builder.start();
			process.getOutputStream().close();
			byte[] stderr;
			String stdout;
			try (var out = process.getInputStream(); var err = process.getErrorStream()) {
				stdout = new String(out.readAllBytes(), StandardCharsets.UTF_8);
				stderr = err.readAllBytes();
			}
			int exit = process.waitFor();
			assertThat(exit)
				.as("kubectl kustomize k8s/overlays/%s: %s", overlay, new String(stderr, StandardCharsets.UTF_8))
				.isZero();
			return stdout;
		}
		catch (IOException ex) {
			throw new IllegalStateException("The manifest tests render the overlays with kubectl (kustomize built in), "
					+ "which is not on the PATH", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static String renderWithoutKubectl(String overlay) {
		StringBuilder text = new StringBuilder();
		new KustomizeSubset().render(ROOT.resolve("k8s/overlays/" + overlay))
			.forEach(o -> text.append(YAML.writeValueAsString(o)));
		return text.toString();
	}

	// ---- the application's side
	// -------------------------------------------------------------------

	private static Path applicationYmlPath() {
		return Path.of("src/main/resources/application.yml");
	}

	private static JsonNode applicationYml() throws IOException {
		return YAML.readTree(Files.readString(applicationYmlPath()));
	}

	private static String placeholderDefault(String value) {
		Matcher matcher = PLACEHOLDER.matcher(value);
		assertThat(matcher.matches()).as(value).isTrue();
		return matcher.group(2);
	}

	private static Set<String> placeholders(String text) {
		Set<String> names = new HashSet<>();
		Matcher matcher = PLACEHOLDER.matcher(text);
		while (matcher.find()) {
			names.add(matcher.group(1));
		}
		return names;
	}

	private static synchronized List<Class<?>> configurationPropertiesClasses() {
		if (propertiesClasses == null) {
			propertiesClasses = scanConfigurationPropertiesClasses();
		}
		return propertiesClasses;
	}

	private static List<Class<?>> scanConfigurationPropertiesClasses() {
		ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
		scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
		return scanner.findCandidateComponents("io.cryoprotect.gateway")
			.stream()
			.<Class<?>>map(definition -> ClassUtils.resolveClassName(definition.getBeanClassName(), null))
			.toList();
	}

	/**
	 * Whether the variable, through Spring Boot's relaxed binding of environment
	 * variables, sets a property that Spring Boot's own configuration metadata documents,
	 * such as {@code spring.profiles.active}.
	 */
	private static boolean setsSpringBootProperty(String name) {
		ConfigurationPropertySource source = ConfigurationPropertySource
			.from(new SystemEnvironmentPropertySource("env", Map.of(name, "x")));
		return springBootProperties().stream().anyMatch(property -> source.getConfigurationProperty(property) != null);
	}

	private static synchronized List<ConfigurationPropertyName> springBootProperties() {
		if (springBootProperties == null) {
			List<ConfigurationPropertyName> names = new ArrayList<>();
			try {
				for (Resource metadata : new PathMatchingResourcePatternResolver()
					.getResources("classpath*:META-INF/spring-configuration-metadata.json")) {
					for (JsonNode property : YAML.readTree(metadata.getContentAsString(StandardCharsets.UTF_8))
						.path("properties")) {
						ConfigurationPropertyName name = ConfigurationPropertyName
							.ofIfValid(property.path("name").asString());
						if (name != null) {
							names.add(name);
						}
					}
				}
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
			springBootProperties = names;
		}
		return springBootProperties;
	}

	/**
	 * Whether the variable, through Spring Boot's relaxed binding of environment
	 * variables, sets a property of one of the gateway's {@code @ConfigurationProperties}
	 * classes.
	 */
	private static boolean bindsToConfigurationProperties(String name, List<Class<?>> classes) {
		MutablePropertySources sources = new MutablePropertySources();
		sources.addLast(new SystemEnvironmentPropertySource("env", Map.of(name, "redis://example.invalid:6379")));
		Binder binder = new Binder(ConfigurationPropertySources.from(sources));
		for (Class<?> type : classes) {
			String prefix = type.getAnnotation(ConfigurationProperties.class).value();
			if (prefix.isEmpty()) {
				prefix = type.getAnnotation(ConfigurationProperties.class).prefix();
			}
			if (binder.bind(prefix, Bindable.of(type)).isBound()) {
				return true;
			}
		}
		return false;
	}

	// ---- helpers
	// ------------------------------------------------------------------------------------

	private static Container gatewayContainer(Rendered rendered) {
		List<Container> containers = rendered.one(Deployment.class, GATEWAY)
			.getSpec()
			.getTemplate()
			.getSpec()
			.getContainers();
		assertThat(containers).extracting(Container::getName).containsExactly("gateway");
		return containers.get(0);
	}

	private static int containerPort(Container container, String name) {
		return container.getPorts()
			.stream()
			.filter(p -> name.equals(p.getName()))
			.map(ContainerPort::getContainerPort)
			.findFirst()
			.orElseThrow(() -> new AssertionError("no container port named " + name));
	}

	private static int resolve(Container container, IntOrString port) {
		return port.getIntVal() != null ? port.getIntVal() : containerPort(container, port.getStrVal());
	}

	private static void assertHttpProbe(Container container, Probe probe, int port, String path) {
		assertThat(probe).isNotNull();
		HTTPGetAction get = probe.getHttpGet();
		assertThat(resolve(container, get.getPort())).isEqualTo(port);
		assertThat(get.getPath()).isEqualTo(path);
	}

	private static NetworkPolicyIngressRule ingressRuleFor(List<NetworkPolicyIngressRule> rules, Container container,
			int port) {
		List<NetworkPolicyIngressRule> matching = rules.stream()
			.filter(rule -> rule.getPorts().stream().anyMatch(p -> resolve(container, p.getPort()) == port))
			.toList();
		assertThat(matching).as("ingress rules for port %d", port).hasSize(1);
		return matching.get(0);
	}

	private static String env(Container container, String name) {
		return env(container.getEnv(), name).getValue();
	}

	private static EnvVar env(List<EnvVar> env, String name) {
		return env.stream()
			.filter(e -> e.getName().equals(name))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no env " + name));
	}

	private static Volume volumeMountedAt(PodSpec pod, Container container, String path) {
		String name = container.getVolumeMounts()
			.stream()
			.filter(m -> m.getMountPath().equals(path))
			.map(VolumeMount::getName)
			.findFirst()
			.orElseThrow(() -> new AssertionError("nothing mounted at " + path));
		return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
	}

	private static long mebibytes(Quantity quantity) {
		return Quantity.getAmountInBytes(quantity).longValueExact() / (1024 * 1024);
	}

	private static int port(URI url) {
		if (url.getPort() != -1) {
			return url.getPort();
		}
		return switch (url.getScheme()) {
			case "https" -> 443;
			case "http" -> 80;
			case "redis", "rediss" -> 6379;
			default -> throw new AssertionError("unexpected scheme in " + url);
		};
	}

	private static String decode(String base64) {
		return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
	}

	private static boolean isYaml(Path file) {
		String name = file.getFileName().toString();
		return name.endsWith(".yml") || name.endsWith(".yaml");
	}

}
