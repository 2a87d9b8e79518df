package io.goim.comet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.ByteString;
import io.goim.libs.testing.Await;
import io.goim.proto.Proto;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Fan-out on the connections' own event loops: chunking, completion, bounded loop backlog. */
class LoopFanOutTest {
    private final CometCounters counters = new CometCounters();
    private final Whitelist whitelist = new Whitelist(List.of());

    private static PushMessage message() {
        return PushMessage.of(ByteBufAllocator.DEFAULT, Proto.newBuilder().setVer(1).setOp(5)
                .setBody(ByteString.copyFromUtf8("{}")).build());
    }

    @Test
    void moreMembersThanOneChunkAreAllWrittenOnce() throws Exception {
        int members = LoopFanOut.CHUNK * 2 + 7; // several full chunks per loop and partial ones
        try (LocalPeers peers = new LocalPeers()) {
            List<LocalPeers.Peer> all = new ArrayList<>();
            for (int i = 0; i < members; i++) {
                all.add(peers.connect());
            }
            PushMessage msg = message();
            CompletableFuture<Integer> done = new CompletableFuture<>();
            LoopFanOut out = new LoopFanOut(msg, counters, whitelist, new LoopBacklog(100), done::complete);
            for (int i = 0; i < members; i++) {
                out.accept(new Connection(i + "_1", i, 1, all.get(i).server(), Wire.TCP));
            }
            out.finish();
            assertEquals(members, done.get(10, TimeUnit.SECONDS));
            msg.release();
            assertEquals(0, msg.refCnt(), "every chunk released its hold on the message");
            Await.until("all received", Duration.ofSeconds(10), () -> all.stream().allMatch(p -> p.received().get() == 1));
            assertEquals(members, counters.pushesQueued.sum());
            assertEquals(0, counters.pushesDropped.sum());
        }
    }

    @Test
    void aLoopWithAFullBacklogDropsAndCountsTheChunk() throws Exception {
        try (LocalPeers peers = new LocalPeers()) {
            LocalPeers.Peer p = peers.connect();
            EventLoop loop = p.server().eventLoop();
            LoopBacklog backlog = new LoopBacklog(1);
            CountDownLatch release = new CountDownLatch(1);
            loop.execute(() -> { // hold the loop so the first chunk stays queued
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            PushMessage msg = message();
            Connection c = new Connection("1_1", 1, 1, p.server(), Wire.TCP);
            CompletableFuture<Integer> first = new CompletableFuture<>();
            LoopFanOut a = new LoopFanOut(msg, counters, whitelist, backlog, first::complete);
            a.accept(c);
            a.finish();
            CompletableFuture<Integer> second = new CompletableFuture<>();
            LoopFanOut b = new LoopFanOut(msg, counters, whitelist, backlog, second::complete);
            b.accept(c);
            b.finish();
            assertEquals(0, second.get(5, TimeUnit.SECONDS), "refused at once, not queued");
            assertEquals(1, counters.pushesDropped.sum());
            assertFalse(first.isDone());
            release.countDown();
            assertEquals(1, first.get(10, TimeUnit.SECONDS));
            assertEquals(0, backlog.queued(loop));
            msg.release();
            assertEquals(0, msg.refCnt());
            Await.until("the queued one arrived", Duration.ofSeconds(10), () -> p.received().get() == 1);
        }
    }
}
