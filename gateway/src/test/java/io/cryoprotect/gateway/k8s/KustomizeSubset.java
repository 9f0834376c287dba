package io.cryoprotect.gateway.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Renders the repository's kustomizations without kubectl, for machines that lack it:
 * only the kustomize features {@code k8s/} uses, and any other field of a kustomization
 * fails the render instead of being ignored. {@link K8sManifestsTests} compares its
 * output with {@code kubectl kustomize} wherever kubectl exists.
 * <p>
 * Supported: {@code resources} (files and kustomization directories), {@code components},
 * {@code namespace}, {@code labels} (metadata only), {@code images}, {@code patches}
 * (strategic merge patches selected by kind and name; lists of objects merge by
 * {@code name}, other lists are replaced), {@code configMapGenerator} and
 * {@code secretGenerator} ({@code files} and {@code literals}, {@code options.labels} and
 * {@code options.disableNameSuffixHash}). Not reproduced: the content hash kustomize
 * appends to generated names (generated objects keep their plain name, see
 * {@link #hashedNames()}).
 */
final class KustomizeSubset {

	private static final ObjectMapper YAML = YAMLMapper.builder().build();

	private static final Set<String> KUSTOMIZATION_FIELDS = Set.of("apiVersion", "kind", "namespace", "resources",
			"components", "labels", "images", "patches", "configMapGenerator", "secretGenerator");

	private final List<String> hashedNames = new ArrayList<>();

	/** The names of generated objects to which kustomize appends a content hash. */
	List<String> hashedNames() {
		return hashedNames;
	}

	List<ObjectNode> render(Path dir) {
		List<ObjectNode> objects = new ArrayList<>();
		apply(dir, objects);
		return objects;
	}

	/**
	 * Adds the kustomization's (or component's) objects to {@code objects} and transforms
	 * them all.
	 */
	private void apply(Path dir, List<ObjectNode> objects) {
		JsonNode kustomization = read(dir.resolve("kustomization.yaml")).get(0);
		for (String field : kustomization.propertyNames()) {
			if (!KUSTOMIZATION_FIELDS.contains(field)) {
				throw new IllegalStateException(dir + "/kustomization.yaml: '" + field
						+ "' is not supported by this renderer (install kubectl, or extend KustomizeSubset)");
			}
		}
		boolean component = kustomization.path("kind").asString().equals("Component");
		List<ObjectNode> own = component ? objects : new ArrayList<>();
		for (JsonNode resource : kustomization.path("resources")) {
			Path path = dir.resolve(resource.asString()).normalize();
			if (Files.isDirectory(path)) {
				own.addAll(render(path));
			}
			else {
				read(path).forEach(node -> own.add((ObjectNode) node));
			}
		}
		for (JsonNode generator : kustomization.path("configMapGenerator")) {
			own.add(generate(dir, generator, "ConfigMap", false));
		}
		for (JsonNode generator : kustomization.path("secretGenerator")) {
			own.add(generate(dir, generator, "Secret", true));
		}
		for (JsonNode path : kustomization.path("components")) {
			apply(dir.resolve(path.asString()).normalize(), own);
		}
		for (JsonNode patch : kustomization.path("patches")) {
			JsonNode target = patch.path("target");
			JsonNode body = YAML.readTree(patch.path("patch").asString());
			List<ObjectNode> targets = own.stream()
				.filter(o -> o.path("kind").asString().equals(target.path("kind").asString())
						&& name(o).equals(target.path("name").asString()))
				.toList();
			if (targets.size() != 1) {
				throw new IllegalStateException(
						dir + ": patch target " + target + " matches " + targets.size() + " objects");
			}
			merge(targets.get(0), body);
		}
		for (JsonNode labels : kustomization.path("labels")) {
			if (labels.path("includeSelectors").asBoolean(false) || labels.path("includeTemplates").asBoolean(false)) {
				throw new IllegalStateException(dir + ": labels on selectors or templates are not supported");
			}
			for (ObjectNode object : own) {
				ObjectNode metadataLabels = object.withObjectProperty("metadata").withObjectProperty("labels");
				labels.path("pairs").properties().forEach(e -> metadataLabels.set(e.getKey(), e.getValue()));
			}
		}
		for (JsonNode image : kustomization.path("images")) {
			own.forEach(object -> setImage(object, image));
		}
		if (kustomization.has("namespace")) {
			own.forEach(
					o -> o.withObjectProperty("metadata").put("namespace", kustomization.get("namespace").asString()));
		}
		if (!component) {
			objects.addAll(own);
		}
	}

	private ObjectNode generate(Path dir, JsonNode generator, String kind, boolean base64) {
		ObjectNode object = YAML.createObjectNode();
		object.put("apiVersion", "v1");
		object.put("kind", kind);
		ObjectNode metadata = object.putObject("metadata");
		metadata.put("name", generator.path("name").asString());
		JsonNode options = generator.path("options");
		if (options.has("labels")) {
			metadata.set("labels", options.get("labels").deepCopy());
		}
		if (!options.path("disableNameSuffixHash").asBoolean(false)) {
			hashedNames.add(generator.path("name").asString());
		}
		ObjectNode data = object.putObject("data");
		for (JsonNode file : generator.path("files")) {
			Path path = dir.resolve(file.asString()).normalize();
			data.put(path.getFileName().toString(), encode(readString(path), base64));
		}
		for (JsonNode literal : generator.path("literals")) {
			String[] keyValue = literal.asString().split("=", 2);
			data.put(keyValue[0], encode(keyValue[1], base64));
		}
		if (base64) {
			object.put("type", "Opaque");
		}
		return object;
	}

	/**
	 * Strategic merge: objects merge field by field, lists of named objects by name,
	 * other lists are replaced.
	 */
	private static void merge(ObjectNode target, JsonNode patch) {
		for (Map.Entry<String, JsonNode> field : patch.properties()) {
			JsonNode existing = target.get(field.getKey());
			JsonNode value = field.getValue();
			if (existing instanceof ObjectNode existingObject && value.isObject()) {
				merge(existingObject, value);
			}
			else if (existing instanceof ArrayNode existingList && isNamedList(value) && isNamedList(existing)) {
				for (JsonNode element : value) {
					ObjectNode match = null;
					for (JsonNode candidate : existingList) {
						if (candidate.path("name").equals(element.path("name"))) {
							match = (ObjectNode) candidate;
						}
					}
					if (match != null) {
						merge(match, element);
					}
					else {
						existingList.add(element.deepCopy());
					}
				}
			}
			else {
				target.set(field.getKey(), value.deepCopy());
			}
		}
	}

	private static boolean isNamedList(JsonNode node) {
		if (!node.isArray() || node.isEmpty()) {
			return false;
		}
		for (JsonNode element : node) {
			if (!element.isObject() || !element.has("name")) {
				return false;
			}
		}
		return true;
	}

	private static void setImage(ObjectNode object, JsonNode image) {
		for (String list : List.of("containers", "initContainers")) {
			for (JsonNode container : object.at("/spec/template/spec/" + list)) {
				String current = container.path("image").asString();
				int colon = current.lastIndexOf(':');
				String name = colon > current.lastIndexOf('/') ? current.substring(0, colon) : current;
				String tag = colon > current.lastIndexOf('/') ? current.substring(colon + 1) : null;
				if (name.equals(image.path("name").asString())) {
					String newName = image.has("newName") ? image.get("newName").asString() : name;
					String newTag = image.has("newTag") ? image.get("newTag").asString() : tag;
					((ObjectNode) container).put("image", newTag == null ? newName : newName + ":" + newTag);
				}
			}
		}
	}

	private static String name(JsonNode object) {
		return object.path("metadata").path("name").asString();
	}

	private static String encode(String value, boolean base64) {
		return base64 ? Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) : value;
	}

	private static List<JsonNode> read(Path file) {
		return YAML.readerFor(JsonNode.class).<JsonNode>readValues(readString(file)).readAll();
	}

	private static String readString(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
