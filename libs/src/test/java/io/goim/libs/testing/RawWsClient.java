package io.goim.libs.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A WebSocket client on a plain socket, for bad-input tests: the test decides what goes
 * in each write (several frames at once, pings without end) and whether anything is read.
 * Frames it sends are masked, as a client's must be. Not thread-safe.
 */
public final class RawWsClient implements AutoCloseable {
    public static final int TEXT = 1;
    public static final int BINARY = 2;
    public static final int PING = 9;
    public static final int PONG = 10;

    /** One frame from the server. */
    public record Frame(int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /**
     * Connects to {@code ws://host:port/sub} and completes the handshake.
     *
     * @param receiveBuffer the socket's receive buffer in bytes, set before connecting (0: the system's)
     */
    public RawWsClient(String host, int port, int receiveBuffer) throws IOException {
        this(host, port, receiveBuffer, null);
    }

    /** As above, connecting from {@code localHost} (e.g. 127.0.0.2), or any when null. */
    public RawWsClient(String host, int port, int receiveBuffer, String localHost) throws IOException {
        socket = new Socket();
        if (localHost != null) {
            socket.bind(new InetSocketAddress(localHost, 0));
        }
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        out.write(("GET /sub HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed during the handshake: " + head.toString(StandardCharsets.US_ASCII));
            }
            head.write(b);
        }
        String status = head.toString(StandardCharsets.US_ASCII);
        if (!status.startsWith("HTTP/1.1 101")) {
            throw new IOException("handshake refused: " + status);
        }
    }

    /** One masked client frame, final, with {@code opcode}. */
    public static byte[] frame(int opcode, byte[] payload) {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write(0x80 | opcode);
        if (payload.length < 126) {
            f.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            f.write(0x80 | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length);
        } else {
            f.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                f.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        f.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i & 3]);
        }
        return f.toByteArray();
    }

    public static byte[] text(String s) {
        return frame(TEXT, s.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code frames} laid end to end in one write. */
    public void send(byte[]... frames) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            all.writeBytes(f);
        }
        out.write(all.toByteArray());
        out.flush();
    }

    /** Reads the next server frame (unfragmented, as comet sends them); fails after the read timeout. */
    public Frame receive() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame(b0 & 0x0f, payload);
    }

    /** Reads frames until one with {@code opcode}, skipping others (pongs, say). */
    public Frame receive(int opcode) throws IOException {
        for (;;) {
            Frame f = receive();
            if (f.opcode() == opcode) {
                return f;
            }
        }
    }

    public void setReadTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** True when the server closed the connection (close frame, EOF or reset) within the read timeout. */
    public boolean closedByServer() throws IOException {
        try {
            while (in.read() >= 0) {
                // skip what was sent before the close
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** The socket, for tests that bind or tune it further. */
    /**
     * Writes 125-byte pings (512 to a write) on another thread until {@code bytes} are
     * written or the server closes the connection, adding what was written to {@code sent};
     * never reads. The future completes when it stops.
     */
    public CompletableFuture<Void> floodPings(long bytes, AtomicLong sent) {
        byte[] ping = frame(PING, new byte[125]);
        byte[] chunk = new byte[ping.length * 512];
        for (int i = 0; i < 512; i++) {
            System.arraycopy(ping, 0, chunk, i * ping.length, ping.length);
        }
        // Its own thread: the writes block once the server stops reading, and the common
        // pool (one thread on a two-core machine) is shared with the cluster in this JVM.
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread writer = new Thread(() -> {
            try {
                while (sent.get() < bytes) {
                    socket.getOutputStream().write(chunk);
                    sent.addAndGet(chunk.length);
                }
            } catch (IOException closed) {
                // closed by the server: what the flood is for
            } finally {
                done.complete(null);
            }
        }, "ping-flood");
        writer.setDaemon(true);
        writer.start();
        return done;
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
