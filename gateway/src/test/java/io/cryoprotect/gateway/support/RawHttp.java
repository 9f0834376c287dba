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

/**
 * Writes exact bytes to the gateway over a plain socket, for requests an HTTP client
 * library would refuse or normalise (dot segments, odd headers, smuggling attempts).
 */
public final class RawHttp {

	/** The status line's code, the whole response text as received, and whether the server closed the connection. */
	public record Response(int status, String text, boolean closedByServer) {

		public String body() {
			int split = text.indexOf("\r\n\r\n");
			return split < 0 ? "" : text.substring(split + 4);
		}

	}

	private RawHttp() {
	}

	/** Sends {@code request} (with {@code Connection: close} expected inside) and reads until the server closes. */
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
				// A server that keeps the connection open after answering: what arrived is the answer.
				closed = false;
			}
			String text = received.toString(StandardCharsets.ISO_8859_1);
			int status = text.startsWith("HTTP/1.") && text.length() >= 12 ? Integer.parseInt(text.substring(9, 12)) : -1;
			return new Response(status, text, closed);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
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
