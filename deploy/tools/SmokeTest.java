import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Checks a running local cluster (deploy/run-local.sh) the way a person would: a TCP
 * client authenticates as user 42 (or the user id given as the only argument), gets a
 * heartbeat reply, and receives a push sent with logic's HTTP API. Run without building:
 * {@code java deploy/tools/SmokeTest.java [uid]}. run-local.sh runs it as its start-up probe.
 * Exits 0 and prints "1 passed, 0 failed" when all of that works.
 */
public class SmokeTest {
    public static void main(String[] args) throws Exception {
        String uid = args.length > 0 ? Long.toString(Long.parseLong(args[0])) : "42";
        try (Socket socket = new Socket("127.0.0.1", 8080)) {
            socket.setSoTimeout(15_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            send(out, 7, 1, uid);
            expect(in, 8, 1, null);
            send(out, 2, 2, "");
            expect(in, 3, 2, null);
            HttpResponse<String> res = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:7172/1/push?uid=" + uid))
                            .timeout(Duration.ofSeconds(15))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"hello\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            check(res.statusCode() == 200 && res.body().equals("{\"ret\":1}"), "push answered " + res.statusCode() + " " + res.body());
            expect(in, 5, 0, "{\"hello\":1}");
        } catch (Exception | AssertionError e) {
            System.out.println("smoke: " + e);
            System.out.println("0 passed, 1 failed");
            System.exit(1);
        }
        System.out.println("smoke: auth, heartbeat and push over the local cluster work");
        System.out.println("1 passed, 0 failed");
    }

    private static void send(DataOutputStream out, int op, int seq, String body) throws Exception {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        out.writeInt(16 + b.length);
        out.writeShort(16);
        out.writeShort(1);
        out.writeInt(op);
        out.writeInt(seq);
        out.write(b);
        out.flush();
    }

    private static void expect(DataInputStream in, int op, int seq, String body) throws Exception {
        int length = in.readInt();
        check(in.readShort() == 16, "header length");
        in.readShort();
        int gotOp = in.readInt();
        int gotSeq = in.readInt();
        byte[] b = new byte[length - 16];
        in.readFully(b);
        String text = new String(b, StandardCharsets.UTF_8);
        check(gotOp == op && gotSeq == seq && (body == null || body.equals(text)),
                "expected op " + op + " seq " + seq + (body == null ? "" : " body " + body)
                        + ", got op " + gotOp + " seq " + gotSeq + " body " + text);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
