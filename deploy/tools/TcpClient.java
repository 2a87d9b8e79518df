import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A goim TCP client in one file, for trying a cluster by hand; run it without building:
 *
 * <pre>
 *   java deploy/tools/TcpClient.java [token] [host] [port]     (defaults: 42 127.0.0.1 8080)
 * </pre>
 *
 * It authenticates with the token (op 7), sends a heartbeat (op 2) at once and every 30 seconds,
 * sends each line typed on standard input as a client message (op 4), and prints every packet it
 * receives, with push bodies (op 5) as text.
 */
public class TcpClient {
    public static void main(String[] args) throws Exception {
        String token = args.length > 0 ? args[0] : "42";
        String host = args.length > 1 ? args[1] : "127.0.0.1";
        int port = args.length > 2 ? Integer.parseInt(args[2]) : 8080;
        try (Socket socket = new Socket(host, port)) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            send(out, 7, 1, token.getBytes(StandardCharsets.UTF_8));
            ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "heartbeat");
                t.setDaemon(true);
                return t;
            });
            AtomicInteger seq = new AtomicInteger(1);
            heartbeat.scheduleAtFixedRate(() -> {
                try {
                    send(out, 2, seq.incrementAndGet(), new byte[0]);
                } catch (IOException e) {
                    System.err.println("heartbeat failed: " + e);
                }
            }, 0, 30, TimeUnit.SECONDS);
            Thread lines = new Thread(() -> {
                try (java.io.BufferedReader stdin = new java.io.BufferedReader(
                        new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                    for (String line; (line = stdin.readLine()) != null; ) {
                        send(out, 4, seq.incrementAndGet(), line.getBytes(StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    System.err.println("sending a message failed: " + e);
                }
            }, "stdin");
            lines.setDaemon(true);
            lines.start();
            while (true) {
                int length = in.readInt();
                in.readShort(); // header length, 16
                int ver = in.readShort();
                int op = in.readInt();
                int s = in.readInt();
                byte[] body = new byte[length - 16];
                in.readFully(body);
                String what = switch (op) {
                    case 8 -> "auth ok";
                    case 3 -> "heartbeat reply";
                    case 5 -> s == 0 ? "push" : "reply to message";
                    case 6 -> "disconnect";
                    default -> "op " + op;
                };
                System.out.printf("%s (ver=%d op=%d seq=%d): %s%n", what, ver, op, s,
                        new String(body, StandardCharsets.UTF_8));
            }
        }
    }

    private static synchronized void send(DataOutputStream out, int op, int seq, byte[] body) throws IOException {
        out.writeInt(16 + body.length);
        out.writeShort(16);
        out.writeShort(1);
        out.writeInt(op);
        out.writeInt(seq);
        out.write(body);
        out.flush();
    }
}
