package io.cryoprotect.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every relative link and {@code #anchor} in the repository's Markdown files (README.md,
 * docs/, filters-conf/, bench/, k8s/, any other outside build output) resolves: the file
 * or directory exists, and an anchor names a heading of the target file by GitHub's rules
 * (lower case; anything but letters, digits, spaces, {@code -} and {@code _} dropped;
 * spaces become {@code -}; a repeated heading gets {@code -1}, {@code -2}, ...). No
 * network: links with a scheme are not followed.
 */
class MarkdownLinksTests {

	private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

	/** {@code [text](target)} or {@code ![alt](target "title")}. */
	private static final Pattern INLINE = Pattern
		.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");

	/** {@code [label]: target}, a reference definition. */
	private static final Pattern REFERENCE = Pattern.compile("^ {0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s.*)?$");

	private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$");

	private static final Pattern FENCE = Pattern.compile("^ {0,3}(```|~~~)");

	private static final Pattern CODE_SPAN = Pattern.compile("(`+)(?:(?!\\1).)+?\\1");

	private final Map<Path, Set<String>> anchors = new HashMap<>();

	@Test
	void everyRelativeLinkAndAnchorResolves() throws IOException {
		List<Path> files = markdownFiles();
		assertThat(files).contains(ROOT.resolve("README.md"), ROOT.resolve("docs/configuration.md"),
				ROOT.resolve("filters-conf/README.md"), ROOT.resolve("bench/NOTES.md"), ROOT.resolve("k8s/README.md"));
		List<String> broken = new ArrayList<>();
		int checked = 0;
		for (Path file : files) {
			for (String target : links(file)) {
				if (target.isEmpty() || target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
					continue;
				}
				checked++;
				String problem = problem(file, target);
				if (problem != null) {
					broken.add(ROOT.relativize(file) + ": " + target + ": " + problem);
				}
			}
		}
		assertThat(checked).as("relative links checked").isGreaterThan(100);
		assertThat(broken).as("broken relative links").isEmpty();
	}

	@Test
	void anchorsFollowGitHubsSlugRules() {
		assertThat(slug("Resilience (`filters-conf/resilience.yml`)"))
			.isEqualTo("resilience-filters-confresilienceyml");
		assertThat(slug("Traffic shifting (blue/green) in Kubernetes"))
			.isEqualTo("traffic-shifting-bluegreen-in-kubernetes");
		assertThat(slug("Flask's own limiter behind the gateway")).isEqualTo("flasks-own-limiter-behind-the-gateway");
		assertThat(slug("Tuning decisions (2026-11-28, runs 5-7, up to commit e189ef5)"))
			.isEqualTo("tuning-decisions-2026-11-28-runs-5-7-up-to-commit-e189ef5");
		assertThat(slug("See [the docs](docs/x.md) and **this**")).isEqualTo("see-the-docs-and-this");
	}

	@Test
	void aBrokenLinkIsFound() throws IOException {
		Path file = Files.createTempFile(ROOT.resolve("docs"), "links-test", ".md");
		try {
			Files.writeString(file, "# Title\n\n[fine](#title) [gone](nowhere.md) [bad anchor](README.md#nope)\n"
					+ "```\n[in code](missing.md)\n```\n");
			assertThat(links(file)).containsExactly("#title", "nowhere.md", "README.md#nope");
			assertThat(problem(file, "#title")).isNull();
			assertThat(problem(file, "nowhere.md")).isNotNull();
			assertThat(problem(file, "README.md#nope")).isNotNull();
		}
		finally {
			Files.delete(file);
		}
	}

	private String problem(Path file, String target) {
		int hash = target.indexOf('#');
		String path = hash < 0 ? target : target.substring(0, hash);
		Path resolved = path.isEmpty() ? file : file.getParent().resolve(path.replace("%20", " ")).normalize();
		if (!resolved.startsWith(ROOT)) {
			return "leaves the repository";
		}
		if (!Files.exists(resolved)) {
			return "no such file";
		}
		if (hash >= 0 && !anchorsOf(resolved).contains(target.substring(hash + 1))) {
			return "no such heading in " + ROOT.relativize(resolved);
		}
		return null;
	}

	private Set<String> anchorsOf(Path file) {
		return this.anchors.computeIfAbsent(file, path -> {
			Set<String> slugs = new HashSet<>();
			if (!path.toString().endsWith(".md")) {
				return slugs;
			}
			Map<String, Integer> seen = new HashMap<>();
			for (String line : outsideFences(path)) {
				Matcher heading = HEADING.matcher(line);
				if (heading.matches()) {
					String slug = slug(heading.group(1));
					int count = seen.merge(slug, 1, Integer::sum);
					slugs.add(count == 1 ? slug : slug + "-" + (count - 1));
				}
			}
			return slugs;
		});
	}

	static String slug(String heading) {
		String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replace("`", "").replace("**", "");
		return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
	}

	private static List<String> links(Path file) {
		List<String> targets = new ArrayList<>();
		for (String line : outsideFences(file)) {
			String text = CODE_SPAN.matcher(line).replaceAll("");
			Matcher inline = INLINE.matcher(text);
			while (inline.find()) {
				targets.add(inline.group(1));
			}
			Matcher reference = REFERENCE.matcher(text);
			if (reference.matches()) {
				targets.add(reference.group(1));
			}
		}
		return targets;
	}

	private static List<String> outsideFences(Path file) {
		List<String> lines = new ArrayList<>();
		boolean fenced = false;
		try {
			for (String line : Files.readAllLines(file)) {
				if (FENCE.matcher(line).find()) {
					fenced = !fenced;
				}
				else if (!fenced) {
					lines.add(line);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return lines;
	}

	private static List<Path> markdownFiles() throws IOException {
		try (Stream<Path> paths = Files.walk(ROOT)) {
			return paths.filter(path -> path.toString().endsWith(".md")).filter(path -> {
				for (Path part : ROOT.relativize(path)) {
					String name = part.toString();
					if (name.equals("target") || name.equals("node_modules") || name.startsWith(".")) {
						return false;
					}
				}
				return true;
			}).sorted().toList();
		}
	}

}
