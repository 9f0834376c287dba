package io.cryoprotect.gateway.configfile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.cryoprotect.gateway.support.TestConfigDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The watcher sees in-place edits and ConfigMap symlink swaps, and reports each version
 * once.
 */
class ConfigDirectoryWatcherTests {

	private final TestConfigDir dir = new TestConfigDir("routes");

	private final List<ConfigFiles> seen = new CopyOnWriteArrayList<>();

	private final ConfigDirectoryWatcher watcher = new ConfigDirectoryWatcher(dir.path(), name -> name.endsWith(".yml"),
			seen::add);

	@AfterEach
	void close() {
		watcher.close();
	}

	@Test
	void firstCheckReportsEveryFileOnceAndUnchangedContentIsNotReportedAgain() throws IOException {
		watcher.check();
		watcher.check();
		assertThat(seen).hasSize(1);
		assertThat(seen.get(0).contents()).containsOnlyKeys("convex.yml", "flask-api.yml", "rdkit.yml");
	}

	@Test
	void symlinkSwapIsSeenAsANewVersion() throws IOException {
		watcher.check();
		dir.swap("rdkit.yml", dir.original("rdkit.yml").replace("owner: cryoprotect-chemistry", "owner: someone-else"));
		watcher.check();
		assertThat(seen).hasSize(2);
		assertThat(seen.get(1).version()).isNotEqualTo(seen.get(0).version());
		assertThat(seen.get(1).contents().get("rdkit.yml")).contains("someone-else");
	}

	@Test
	void inPlaceEditIsSeenAsANewVersion() throws IOException {
		watcher.check();
		dir.editInPlace("convex.yml", dir.original("convex.yml") + "\n# edited\n");
		watcher.check();
		assertThat(seen).hasSize(2);
		assertThat(seen.get(1).contents().get("convex.yml")).endsWith("# edited\n");
	}

	@Test
	void fileThatIsNotUtf8IsListedAsUnreadable() throws IOException {
		Files.write(Path.of(dir.path(), "broken.yml"), new byte[] { 'a', ':', ' ', (byte) 0xC3, (byte) 0x28 });
		watcher.check();
		assertThat(seen.get(0).unreadable()).containsOnlyKeys("broken.yml");
		assertThat(seen.get(0).contents()).doesNotContainKey("broken.yml");
	}

	@Test
	void pollingPicksUpAChangeWithoutBeingAsked() {
		watcher.start(Duration.ofMillis(50));
		await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 1);
		dir.swap("flask-api.yml", dir.original("flask-api.yml").replace("weight: 100", "weight: 99"));
		await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
	}

}
