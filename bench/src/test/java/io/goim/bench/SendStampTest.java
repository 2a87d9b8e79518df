package io.goim.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.protocol.Op;
import io.goim.protocol.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Send stamps read back from a TCP batch and a WebSocket array, and the latency histograms they feed. */
class SendStampTest {
    /** An OP_RAW-style batch: stamped pushes sent 10, 20 … ms ago, an unstamped push and a heartbeat reply between. */
    private static ByteBuf batch(long now, int stamped) {
        ByteBuf b = Unpooled.buffer();
        for (int i = 1; i <= stamped; i++) {
            Packets.write(b, 1, Op.SEND_MSG_REPLY, 0,
                    SendStamp.body(now - i * 10_000L, i).getBytes(StandardCharsets.US_ASCII));
            if (i == 2) {
                Packets.write(b, 1, Op.SEND_MSG_REPLY, 0, "{\"x\":1}".getBytes(StandardCharsets.US_ASCII));
                Packets.write(b, 1, Op.HEARTBEAT_REPLY, 3, new byte[0]);
            }
        }
        return b;
    }

    @Test
    void everyPacketOfATcpBatchIsTimedAlsoWhenItArrivesByteByByte() {
        for (boolean split : new boolean[] {false, true}) {
            LoadStats stats = new LoadStats();
            EmbeddedChannel ch = new EmbeddedChannel(new PushCounter(stats));
            ByteBuf all = batch(Latencies.nowMicros(), 40);
            if (split) {
                while (all.isReadable()) {
                    ch.writeInbound(all.readRetainedSlice(1));
                }
                all.release();
            } else {
                ch.writeInbound(all);
            }
            Histogram h = stats.latency.snapshot();
            assertEquals(41, stats.pushes.sum(), "split=" + split);
            assertEquals(1, stats.heartbeatReplies.sum());
            assertEquals(40, h.getTotalCount(), "only stamped pushes are timed");
            // Sent 10..400 ms ago (the test itself may add a little).
            assertTrue(h.getMinValue() >= 9_900 && h.getMaxValue() >= 396_000 && h.getMaxValue() < 5_000_000,
                    h.getMinValue() + ".." + h.getMaxValue());
        }
    }

    @Test
    void stampsAreReadFromEveryPushOfAWebSocketArray() {
        String frame = "[{\"ver\":1,\"op\":5,\"seq\":0,\"body\":{\"t\":1700000000000001,\"n\":1}},"
                + "{\"ver\":1,\"op\":3,\"seq\":2,\"body\":{}},"
                + "{\"ver\":1,\"op\":5,\"seq\":0,\"body\":{\"x\":1}},"
                + "{\"ver\":1,\"op\":5,\"seq\":0,\"body\":{\"t\":1700000000000003,\"n\":3}}]";
        List<Long> stamps = new ArrayList<>();
        JsonOps ops = JsonOps.count(Unpooled.copiedBuffer(frame, StandardCharsets.US_ASCII), stamps::add);
        assertEquals(new JsonOps(3, 0, 1), ops);
        assertEquals(List.of(1700000000000001L, 1700000000000003L), stamps);
        assertEquals(7, JsonOps.firstOp(Unpooled.copiedBuffer("{\"ver\":1,\"op\": 7,\"seq\":1,\"body\":5}",
                StandardCharsets.US_ASCII)));
    }

    @Test
    void percentilesSurviveTheHistogramFilesOfSeveralProcesses(@TempDir Path dir) throws Exception {
        LoadStats a = new LoadStats();
        LoadStats b = new LoadStats();
        for (int ms = 1; ms <= 1000; ms++) {
            (ms % 2 == 0 ? a : b).latency.record(ms * 1000L);
        }
        a.write(dir.resolve("load-0.stats"));
        b.write(dir.resolve("load-1.stats"));
        Histogram h = StatsDir.histogram(dir, "latency");
        assertEquals(1000, h.getTotalCount());
        assertEquals(500_000, h.getValueAtPercentile(50), 500_000 * 0.01);
        assertEquals(990_000, h.getValueAtPercentile(99), 990_000 * 0.01);
        assertEquals(1_000_000, h.getMaxValue(), 1_000_000 * 0.01);
        assertEquals(0, StatsDir.histogram(dir, "login").getTotalCount());
    }
}
