package io.goim.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.goim.protocol.Op;
import io.goim.protocol.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sequence read after the send stamp (TCP head copy, WebSocket array), and the receipts log it feeds. */
class ReceiptsTest {
    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void theSequenceIsReadOnlyWhenWholeAndAfterAStamp() {
        byte[] body = ascii(SendStamp.body(1_700_000_000_000_001L, 42));
        assertEquals(42, SendStamp.seq(body, 0, body.length));
        byte[] big = ascii(SendStamp.body(1_700_000_000_000_001L, Long.MAX_VALUE / 10));
        assertEquals(Long.MAX_VALUE / 10, SendStamp.seq(big, 0, big.length));
        assertEquals(Long.MAX_VALUE / 10, SendStamp.seq(Unpooled.wrappedBuffer(big), 0, big.length));
        // Cut inside the digits: "4" of "42" is not taken for the sequence.
        assertEquals(-1, SendStamp.seq(body, 0, body.length - 2));
        assertEquals(-1, SendStamp.seq(ascii("{\"t\":1700000000000001}"), 0, 22));
        assertEquals(-1, SendStamp.seq(ascii("{\"t\":1700000000000001,\"m\":4}"), 0, 28));
        assertEquals(-1, SendStamp.seq(ascii("{\"x\":1,\"n\":4}"), 0, 13));
        assertEquals(-1, SendStamp.seq(ascii("{\"t\":1700000000000001,\"n\":}"), 0, 27));
        // A head copy longer than the body (the next packet's bytes after it) still ends at '}'.
        byte[] padded = ascii(SendStamp.body(1_700_000_000_000_001L, 7) + "\0\0\0\0");
        assertEquals(7, SendStamp.seq(padded, 0, padded.length));
    }

    /** Stamped pushes with sequences 100.., an unstamped push and a heartbeat reply among them, a long body last. */
    private static ByteBuf stream(long now, int stamped) {
        ByteBuf b = Unpooled.buffer();
        for (int i = 0; i < stamped; i++) {
            Packets.write(b, 1, Op.SEND_MSG_REPLY, 0, ascii(SendStamp.body(now - 1000, 100 + i)));
            if (i == 1) {
                Packets.write(b, 1, Op.SEND_MSG_REPLY, 0, ascii("{\"x\":1}"));
                Packets.write(b, 1, Op.HEARTBEAT_REPLY, 3, new byte[0]);
            }
        }
        Packets.write(b, 1, Op.SEND_MSG_REPLY, 0, ascii(SendStamp.body(now - 1000, 9_999_999_999L) + " ".repeat(500)));
        return b;
    }

    @Test
    void tcpPushesLogTheirSequenceAlsoWhenSplitAcrossReads(@TempDir Path dir) throws Exception {
        for (int chunk : new int[] {1 << 20, 1, 7, 33}) {
            LoadStats stats = new LoadStats(true);
            EmbeddedChannel ch = new EmbeddedChannel(new PushCounter(stats));
            long before = Latencies.nowMicros();
            ByteBuf all = stream(before, 30);
            while (all.isReadable()) {
                ch.writeInbound(all.readRetainedSlice(Math.min(chunk, all.readableBytes())));
            }
            all.release();
            long after = Latencies.nowMicros();
            assertEquals(32, stats.pushes.sum());
            assertEquals(31, stats.latency.snapshot().getTotalCount());
            Path file = dir.resolve("tcp-" + chunk + ".stats");
            stats.write(file);
            Map<Long, Long> got = read(dir, "tcp-" + chunk + ".receipts");
            List<Long> want = new ArrayList<>();
            for (long i = 100; i < 130; i++) {
                want.add(i);
            }
            want.add(9_999_999_999L);
            assertEquals(want, new ArrayList<>(got.keySet()), "chunk " + chunk);
            for (long t : got.values()) {
                assertEquals(true, t >= before && t <= after, t + " not in " + before + ".." + after);
            }
        }
    }

    @Test
    void withReceiptsOffNothingIsLogged(@TempDir Path dir) throws Exception {
        LoadStats stats = new LoadStats();
        assertNull(stats.receipts);
        EmbeddedChannel ch = new EmbeddedChannel(new PushCounter(stats));
        ch.writeInbound(stream(Latencies.nowMicros(), 3));
        assertEquals(5, stats.pushes.sum());
        stats.write(dir.resolve("load-0.stats"));
        assertEquals(false, Files.exists(dir.resolve("load-0.receipts")));
        assertEquals(false, Files.readString(dir.resolve("load-0.stats")).contains("receiptsLost"));
    }

    @Test
    void webSocketPushesLogTheirSequence() {
        String frame = "[{\"ver\":1,\"op\":5,\"seq\":0,\"body\":{\"t\":1700000000000001,\"n\":11}},"
                + "{\"ver\":1,\"op\":3,\"seq\":2,\"body\":{}},"
                + "{\"ver\":1,\"op\":5,\"seq\":0,\"body\":{\"x\":1,\"n\":5}},"
                + "{\"ver\":1,\"op\":5,\"seq\":0,\"body\":{\"t\":1700000000000003}},"
                + "{\"ver\":1,\"op\":5,\"seq\":0,\"body\":{\"t\":1700000000000004,\"n\":13}}]";
        List<Long> stamps = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();
        JsonOps ops = JsonOps.count(Unpooled.copiedBuffer(frame, StandardCharsets.US_ASCII), stamps::add, seqs::add);
        assertEquals(new JsonOps(4, 0, 1), ops);
        assertEquals(List.of(1700000000000001L, 1700000000000003L, 1700000000000004L), stamps);
        assertEquals(List.of(11L, 13L), seqs, "unstamped and seq-less pushes log nothing");
    }

    @Test
    void receiptsAccumulateAcrossWritesAndAHalfWrittenLineWaits(@TempDir Path dir) throws Exception {
        LoadStats a = new LoadStats(true);
        LoadStats b = new LoadStats(true);
        a.receipts.add(1, 1000);
        a.write(dir.resolve("load-0.stats"));
        a.receipts.add(2, 2000);
        a.write(dir.resolve("load-0.stats"));
        a.write(dir.resolve("load-0.stats"));
        b.receipts.add(3, 3000);
        b.write(dir.resolve("load-1.stats"));
        Files.writeString(dir.resolve("load-2.receipts"), "4 4000\n5 50");
        Map<Long, Long> got = new LinkedHashMap<>();
        assertEquals(4, StatsDir.receipts(dir, got::put));
        assertEquals(Map.of(1L, 1000L, 2L, 2000L, 3L, 3000L, 4L, 4000L), got);
        assertEquals(0, StatsDir.sum(dir, "receiptsLost"));
    }

    private static Map<Long, Long> read(Path dir, String name) throws Exception {
        Map<Long, Long> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dir.resolve(name))) {
            String[] f = line.split(" ");
            m.put(Long.parseLong(f[0]), Long.parseLong(f[1]));
        }
        return m;
    }
}
