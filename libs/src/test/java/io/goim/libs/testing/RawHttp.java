package io.goim.libs.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client over one plain socket, for what {@code java.net.http} hides:
 * keep-alive reuse, pipelining, {@code Expect: 100-continue} and what the server does
 * with the connection afterwards.
 */
public final class RawHttp implements AutoCloseable {
    /** One response; header names in lower case. */
    public record Response(int status, Map<String, String> headers, String body) {
    }

    private final Socket socket = new Socket();
    private final DataInputStream in;
    private final OutputStream out;

    public RawHttp(int port) throws IOException {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    public void write(String text) throws IOException {
        write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public static String request(String method, String target, String body, String... headers) {
        StringBuilder b = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: logic\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        return b.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length)
                .append("\r\n\r\n").append(body).toString();
    }

    public Response read() throws IOException {
        String status = line();
        Map<String, String> headers = new HashMap<>();
        for (String l = line(); !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
        }
        byte[] body = new byte[Integer.parseInt(headers.getOrDefault("content-length", "0"))];
        in.readFully(body);
        return new Response(Integer.parseInt(status.split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    /** True when the server closed the connection within the read timeout. */
    public boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return !(e instanceof java.net.SocketTimeoutException);
        }
    }

    /** Writes, ignoring a reset: the server may have closed the connection meanwhile (a slow sender's test). */
    public void trickle(String text) {
        try {
            write(text);
        } catch (IOException closed) {
            // seen by closedWithin
        }
    }

    /** True when the server closes the connection within {@code within} (a reset counts as closed). */
    public boolean closedWithin(Duration within) throws IOException {
        socket.setSoTimeout((int) Math.max(1, within.toMillis()));
        return closedByServer();
    }

    public void setReadTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed after " + b);
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
