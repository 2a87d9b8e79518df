package io.goim.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.libs.testing.Await;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a request's future does when the server does not answer as it should, against a
 * scripted server on a real socket (the cluster's answers are tested end to end in e2e's
 * JavaClientV2E2ETest): seqs unique and never 0, a reply matched by seq and op only, a
 * timeout, a lost connection, a client not logged in or closed. None is left hanging.
 */
class GoimClientRequestsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** One packet read from or written to the client. */
    record Pkt(int op, int seq, String body) {
    }

    private ServerSocket server;
    private Socket conn;
    private DataInputStream in;
    private DataOutputStream out;
    private final BlockingQueue<String> pushes = new LinkedBlockingQueue<>();

    @BeforeEach
    void listen() throws IOException {
        server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() throws IOException {
        if (conn != null) {
            conn.close();
        }
        server.close();
    }

    private GoimClient client(Duration requestTimeout) {
        return GoimClient.tcp("127.0.0.1", server.getLocalPort())
                .token("1")
                .requestTimeout(requestTimeout)
                .backoff(new Backoff(Duration.ofSeconds(30), Duration.ofSeconds(30))) // no reconnect within a test
                .listener((op, body) -> pushes.add(op + ":" + new String(body, StandardCharsets.UTF_8)))
                .build();
    }

    /** Accepts the client's connection and answers its auth. */
    private void acceptAndLogIn(GoimClient client) throws Exception {
        CompletableFuture<Void> started = client.start();
        server.setSoTimeout((int) WAIT.toMillis());
        conn = server.accept();
        conn.setSoTimeout((int) WAIT.toMillis());
        in = new DataInputStream(conn.getInputStream());
        out = new DataOutputStream(conn.getOutputStream());
        Pkt auth = read();
        assertEquals(7, auth.op());
        write(8, auth.seq(), "");
        started.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private Pkt read() throws IOException {
        int len = in.readInt();
        in.readShort();
        in.readShort();
        int op = in.readInt();
        int seq = in.readInt();
        byte[] body = in.readNBytes(len - 16);
        return new Pkt(op, seq, new String(body, StandardCharsets.UTF_8));
    }

    private void write(int op, int seq, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        out.writeInt(16 + b.length);
        out.writeShort(16);
        out.writeShort(1);
        out.writeInt(op);
        out.writeInt(seq);
        out.write(b);
        out.flush();
    }

    private static Throwable failure(CompletableFuture<?> f) {
        return assertThrows(ExecutionException.class, () -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS)).getCause();
    }

    @Test
    void repliesAreMatchedBySeqAndOpAndPushesStayPushes() throws Exception {
        try (GoimClient client = client(WAIT)) {
            acceptAndLogIn(client);
            CompletableFuture<byte[]> a = client.send("a".getBytes(StandardCharsets.UTF_8));
            CompletableFuture<byte[]> b = client.send("b".getBytes(StandardCharsets.UTF_8));
            Pkt pa = read();
            Pkt pb = read();
            assertEquals(4, pa.op());
            assertEquals("a", pa.body());
            assertTrue(pa.seq() != 0 && pb.seq() != 0 && pa.seq() != pb.seq(), pa + " " + pb);

            write(5, 0, "a push");                 // seq 0: a push, not a reply
            write(19, pb.seq(), "{\"ret\":1}");    // the right seq, the wrong op: not b's reply
            write(5, pb.seq(), "{\"ret\":1}");
            assertEquals("{\"ret\":1}", new String(b.get(WAIT.toSeconds(), TimeUnit.SECONDS), StandardCharsets.UTF_8));
            assertEquals("5:a push", pushes.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals("19:{\"ret\":1}", pushes.poll(WAIT.toSeconds(), TimeUnit.SECONDS), "unmatched: handed on");
            assertFalse(a.isDone(), "a's reply has not come");

            write(5, pa.seq(), "{\"ret\":65527,\"msg\":\"rate limited: 10/s\"}");
            RefusedException r = assertInstanceOf(RefusedException.class, failure(a));
            assertEquals(65527, r.ret());
            assertTrue(r.getMessage().startsWith("rate limited: 10/s"), r.getMessage());

            CompletableFuture<Integer> join = client.joinRoom("live://1");
            Pkt pj = read();
            assertEquals(18, pj.op());
            assertEquals("live://1", pj.body());
            write(19, pj.seq(), "{\"ret\":65534,\"room\":\"live://1\",\"msg\":\"already in 32 rooms\"}");
            assertEquals("already in 32 rooms (ret 65534)", failure(join).getMessage());
            assertEquals(List.of(), client.rooms(), "a refused join leaves the client's rooms as they were");
        }
    }

    @Test
    void seqsAreUniqueAndAnUnansweredRequestTimesOut() throws Exception {
        try (GoimClient client = client(Duration.ofMillis(200))) {
            acceptAndLogIn(client);
            List<CompletableFuture<byte[]>> sent = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                sent.add(client.send(new byte[] {(byte) i}));
            }
            Set<Integer> seqs = new HashSet<>();
            for (int i = 0; i < 50; i++) {
                int seq = read().seq();
                assertTrue(seq != 0 && seqs.add(seq), "seq " + seq + " used twice or 0");
            }
            for (CompletableFuture<byte[]> f : sent) {
                assertInstanceOf(TimeoutException.class, failure(f));
            }
        }
    }

    @Test
    void aLostConnectionFailsWhatAwaitsAReplyAndNothingIsSentWhileNotLoggedIn() throws Exception {
        try (GoimClient client = client(Duration.ofMinutes(5))) {
            acceptAndLogIn(client);
            CompletableFuture<byte[]> pending = client.send("x".getBytes(StandardCharsets.UTF_8));
            CompletableFuture<Void> change = client.changeRoom("live://2");
            read();
            read();
            conn.close();
            assertInstanceOf(IOException.class, failure(pending));
            assertInstanceOf(IOException.class, failure(change));
            Await.until("the client notices", WAIT, () -> !client.isAuthenticated());
            assertInstanceOf(IllegalStateException.class, failure(client.send("y".getBytes(StandardCharsets.UTF_8))));
            assertInstanceOf(IllegalStateException.class, failure(client.subscribe(1000)), "a v1 login has no accepts");
        }
    }

    @Test
    void closingTheClientFailsWhatAwaitsAReply() throws Exception {
        GoimClient client = client(Duration.ofMinutes(5));
        acceptAndLogIn(client);
        CompletableFuture<Integer> leave = client.leaveRoom("1");
        read();
        client.close();
        assertInstanceOf(IOException.class, failure(leave));
        assertEquals("client closed", failure(client.joinRoom("live://3")).getMessage());
    }
}
