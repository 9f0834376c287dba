package io.cryoprotect.gateway.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An upstream on a raw loopback socket that answers with the request head it received,
 * byte for byte, so a test sees the upstream-bound request exactly as it went over the
 * wire. Its answers carry hop-by-hop headers (standard ones and one its
 * {@code Connection} header names) and an end-to-end one. By path: {@code .../reset}
 * reads the request and resets the connection without an answer; {@code .../hang} reads
 * it and never answers; anything else is echoed. Connections are kept alive. Served by a
 * thread per connection: test code, never on an event loop.
 */
final class EchoUpstream implements AutoCloseable {

	private final ServerSocket server;

	private final Set<Socket> open = ConcurrentHashMap.newKeySet();

	EchoUpstream() {
		try {
			server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		daemon("echo-upstream-accept", this::accept);
	}

	private static void daemon(String name, Runnable task) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		thread.start();
	}

	String url() {
		return "http://127.0.0.1:" + server.getLocalPort();
	}

	private void accept() {
		while (!server.isClosed()) {
			try {
				Socket socket = server.accept();
				open.add(socket);
				daemon("echo-upstream-" + socket.getPort(), () -> serve(socket));
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void serve(Socket socket) {
		try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
			for (String head; (head = readHead(in)) != null;) {
				skipBody(in, head);
				String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
				if (target.endsWith("/reset")) {
					socket.setSoLinger(true, 0);
					return;
				}
				if (target.endsWith("/hang")) {
					while (in.read() >= 0) {
						// Until the gateway gives up and closes.
					}
					return;
				}
				byte[] body = head.getBytes(StandardCharsets.ISO_8859_1);
				out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: keep-alive, X-Hop\r\n"
						+ "Keep-Alive: timeout=5\r\nX-Hop: 1\r\nProxy-Authenticate: Basic\r\nX-Application-Context: echo\r\n"
						+ "X-End-To-End: 1\r\nContent-Length: " + body.length + "\r\n\r\n")
					.getBytes(StandardCharsets.ISO_8859_1));
				out.write(body);
				out.flush();
			}
		}
		catch (IOException ex) {
			// The gateway closed the connection.
		}
		finally {
			open.remove(socket);
		}
	}

	/**
	 * The request line and header lines, each ending CRLF, without the empty line; null
	 * at the end of the stream.
	 */
	private static String readHead(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int matched = 0;
		for (int b; (b = in.read()) >= 0;) {
			head.write(b);
			matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
			if (matched == 4) {
				String text = head.toString(StandardCharsets.ISO_8859_1);
				return text.substring(0, text.length() - 2);
			}
		}
		return null;
	}

	private static void skipBody(InputStream in, String head) throws IOException {
		for (String line : head.split("\r\n")) {
			if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
				in.readNBytes(Integer.parseInt(line.substring(line.indexOf(':') + 1).trim()));
			}
		}
	}

	@Override
	public void close() throws IOException {
		server.close();
		for (Socket socket : open) {
			socket.close();
		}
	}

}
