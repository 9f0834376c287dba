package io.cryoprotect.gateway.support;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A real {@code redis-server} process (Debian's package) on a free loopback port, keeping
 * nothing on disk, optionally requiring a password. Tests kill it, pause it and start it
 * again on the same port; it is always ended by its own PID.
 */
public final class RedisServer implements AutoCloseable {

	private final int port;

	private final File log;

	private final String password;

	private Process process;

	public RedisServer() {
		this(null);
	}

	/**
	 * A server that answers only clients authenticated with {@code password}
	 * ({@code requirepass}).
	 */
	public RedisServer(String password) {
		this.password = password;
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			this.port = socket.getLocalPort();
			this.log = File.createTempFile("redis-" + port + "-", ".log");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		start();
	}

	/** Its URL, with the password when it requires one. */
	public String url() {
		return "redis://" + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port;
	}

	public int port() {
		return port;
	}

	/** Starts the server (again) on its port and waits until it answers PING. */
	public void start() {
		try {
			List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
					"127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"));
			if (password != null) {
				command.addAll(List.of("--requirepass", password));
			}
			process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(log))
				.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException(
					"redis-server is needed for these tests (Debian: apt-get install -y redis-server)", ex);
		}
		await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(20))
			.ignoreExceptions()
			.until(() -> command("PING").equals("+PONG"));
	}

	public boolean running() {
		return process != null && process.isAlive();
	}

	/** Kills the process (SIGKILL): connections drop at once, as when a node dies. */
	public void kill() {
		process.destroyForcibly();
		try {
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("redis-server " + process.pid() + " did not exit");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * {@code CLIENT PAUSE millis WRITE}: Redis accepts connections but answers no write
	 * command (every command a rate-limit decision or heartbeat sends writes) until then
	 * or {@link #unpause()}.
	 */
	public void pause(Duration duration) {
		String reply = command("CLIENT PAUSE " + duration.toMillis() + " WRITE");
		if (!reply.equals("+OK")) {
			throw new IllegalStateException("CLIENT PAUSE answered " + reply);
		}
	}

	/**
	 * Ends a {@link #pause}: {@code CLIENT UNPAUSE}, which a write pause still answers.
	 */
	public void unpause() {
		String reply = command("CLIENT UNPAUSE");
		if (!reply.equals("+OK")) {
			throw new IllegalStateException("CLIENT UNPAUSE answered " + reply);
		}
	}

	/**
	 * Sends one inline command on a fresh connection (authenticated first, if the server
	 * requires a password) and returns the first reply line.
	 */
	public String command(String inline) {
		return exchange(inline, BufferedReader::readLine);
	}

	/**
	 * Commands the server processed since it started ({@code INFO stats}
	 * {@code total_commands_processed}), this query included.
	 */
	public long commandsProcessed() {
		return exchange("INFO stats", in -> {
			String prefix = "total_commands_processed:";
			for (String line = in.readLine(); line != null; line = in.readLine()) {
				if (line.startsWith(prefix)) {
					return Long.parseLong(line.substring(prefix.length()).trim());
				}
			}
			throw new IllegalStateException("INFO stats named no " + prefix);
		});
	}

	private interface Reply<T> {

		T read(BufferedReader in) throws IOException;

	}

	private <T> T exchange(String inline, Reply<T> reply) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
			socket.setSoTimeout(2_000);
			OutputStream out = socket.getOutputStream();
			BufferedReader in = new BufferedReader(
					new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
			if (password != null) {
				out.write(("AUTH " + password + "\r\n").getBytes(StandardCharsets.US_ASCII));
				out.flush();
				String auth = in.readLine();
				if (!"+OK".equals(auth)) {
					throw new IllegalStateException("AUTH answered " + auth);
				}
			}
			out.write((inline + "\r\n").getBytes(StandardCharsets.US_ASCII));
			out.flush();
			return reply.read(in);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		if (running()) {
			kill();
		}
	}

}
