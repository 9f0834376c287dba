package io.cryoprotect.gateway.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Writes exact bytes to the gateway over a plain socket, for requests an HTTP client
 * library would refuse or normalise (dot segments, odd headers, smuggling attempts).
 */
public final class RawHttp {

	/**
	 * The status line's code, the whole response text as received, and whether the server
	 * closed the connection.
	 */
	public record Response(int status, String text, boolean closedByServer) {

		public String body() {
			int split = text.indexOf("\r\n\r\n");
			return split < 0 ? "" : text.substring(split + 4);
		}

	}

	private RawHttp() {
	}

	/**
	 * Sends {@code request} (with {@code Connection: close} expected inside) and reads
	 * until the server closes.
	 */
	public static Response send(int port, String request) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
			socket.setSoTimeout(5_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			InputStream in = socket.getInputStream();
			ByteArrayOutputStream received = new ByteArrayOutputStream();
			byte[] buffer = new byte[8192];
			boolean closed = true;
			try {
				for (int n; (n = in.read(buffer)) >= 0;) {
					received.write(buffer, 0, n);
				}
			}
			catch (SocketTimeoutException ex) {
				// A server that keeps the connection open after answering: what arrived
				// is the answer.
				closed = false;
			}
			String text = received.toString(StandardCharsets.ISO_8859_1);
			int status = text.startsWith("HTTP/1.") && text.length() >= 12 ? Integer.parseInt(text.substring(9, 12))
					: -1;
			return new Response(status, text, closed);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Opens a kept-alive connection for requests written and answers read one by one. */
	public static KeptAlive connect(int port) {
		try {
			Socket socket = new Socket();
			socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
			socket.setSoTimeout(5_000);
			return new KeptAlive(socket);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * One connection kept open across requests. {@link #read()} parses one response
	 * framed by Content-Length or chunked encoding; a server that stops answering fails
	 * it with a {@link SocketTimeoutException} after 5 s.
	 */
	public static final class KeptAlive implements AutoCloseable {

		private final Socket socket;

		private final InputStream in;

		private KeptAlive(Socket socket) throws IOException {
			this.socket = socket;
			this.in = socket.getInputStream();
		}

		/** Writes {@code requests} (one or several, pipelined) in one write. */
		public KeptAlive write(String requests) {
			try {
				OutputStream out = socket.getOutputStream();
				out.write(requests.getBytes(StandardCharsets.ISO_8859_1));
				out.flush();
				return this;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		/** Reads the next response whole. */
		public Response read() {
			try {
				StringBuilder head = new StringBuilder();
				while (head.length() < 4 || head.lastIndexOf("\r\n\r\n") != head.length() - 4) {
					int b = in.read();
					if (b < 0) {
						return new Response(-1, head.toString(), true);
					}
					head.append((char) b);
				}
				String headers = head.toString().toLowerCase(Locale.ROOT);
				ByteArrayOutputStream body = new ByteArrayOutputStream();
				if (headers.contains("\r\ntransfer-encoding: chunked")) {
					for (int size; (size = Integer.parseInt(line(), 16)) > 0;) {
						body.write(in.readNBytes(size));
						line();
					}
					line();
				}
				else {
					int at = headers.indexOf("\r\ncontent-length:");
					int length = at < 0 ? 0
							: Integer.parseInt(headers.substring(at + 17, headers.indexOf("\r\n", at + 2)).trim());
					body.write(in.readNBytes(length));
				}
				String text = head + body.toString(StandardCharsets.ISO_8859_1);
				return new Response(Integer.parseInt(text.substring(9, 12)), text, false);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		/**
		 * Reads until the server closes the connection and returns how long that took, in
		 * milliseconds.
		 */
		public long millisUntilClosed() {
			long start = System.nanoTime();
			try {
				while (in.read() >= 0) {
					// whatever the server still sends before it closes
				}
				return (System.nanoTime() - start) / 1_000_000;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		private String line() throws IOException {
			StringBuilder line = new StringBuilder();
			for (int b; (b = in.read()) >= 0 && b != '\n';) {
				if (b != '\r') {
					line.append((char) b);
				}
			}
			return line.toString();
		}

		@Override
		public void close() {
			try {
				socket.close();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

	/** A GET of a raw request target, exactly as given. */
	public static Response get(int port, String rawTarget, String... extraHeaders) {
		StringBuilder sb = new StringBuilder("GET ").append(rawTarget).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
		for (String header : extraHeaders) {
			sb.append(header).append("\r\n");
		}
		return send(port, sb.append("Connection: close\r\n\r\n").toString());
	}

}
