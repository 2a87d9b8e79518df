package io.goim.libs.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A minimal blocking goim TCP client for tests: writes and reads whole packets over a
 * real socket, independent of the server's codec classes so it checks the wire bytes.
 */
public final class TcpTestClient implements AutoCloseable {
    /** One received packet. */
    public record Received(int ver, int op, int seq, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    public TcpTestClient(String host, int port) throws IOException {
        this(host, port, null);
    }

    /** Connects from {@code localHost} (e.g. another loopback address, 127.0.0.2), or any when null. */
    public TcpTestClient(String host, int port, String localHost) throws IOException {
        socket = new Socket();
        if (localHost != null) {
            socket.bind(new InetSocketAddress(localHost, 0));
        }
        socket.connect(new InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(socket.getOutputStream());
    }

    public void send(int ver, int op, int seq, byte[] body) throws IOException {
        out.writeInt(16 + body.length);
        out.writeShort(16);
        out.writeShort(ver);
        out.writeInt(op);
        out.writeInt(seq);
        out.write(body);
        out.flush();
    }

    public void send(int op, int seq, String body) throws IOException {
        send(1, op, seq, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes raw bytes, for malformed-input tests. */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads the next packet; fails after the read timeout (10 s by default). */
    public Received receive() throws IOException {
        int packetLength = in.readInt();
        int headerLength = in.readShort();
        if (headerLength != 16) {
            throw new IOException("header length " + headerLength);
        }
        int ver = in.readShort();
        int op = in.readInt();
        int seq = in.readInt();
        byte[] body = new byte[packetLength - 16];
        in.readFully(body);
        return new Received(ver, op, seq, body);
    }

    public void setReadTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** True when the server closed the connection (EOF or reset) within the read timeout. */
    public boolean closedByServer() throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (EOFException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // connection reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
