package io.goim.job.rooms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.goim.job.JobConfig;
import io.goim.job.JobCounts;
import io.goim.job.JobMeters;
import io.goim.job.ManualScheduler;
import io.goim.job.dispatch.Dispatcher;
import io.goim.proto.Proto;
import io.goim.protocol.Op;
import io.goim.protocol.Packets;
import io.goim.protocol.RoomKeys;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Room batching rules, with a manual clock and a sender whose batches the test completes by hand. */
class RoomBatcherTest {
    private static final JobConfig.Room CONFIG = new JobConfig.Room(3, Duration.ofSeconds(1), 5);

    private record Sent(String room, Proto batch, CompletableFuture<Void> done) {
    }

    private final ManualScheduler clock = new ManualScheduler();
    private final List<Sent> sent = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final JobMeters meters = new JobMeters(registry);
    private final RoomBatchers rooms = new RoomBatchers(CONFIG, clock, (room, batch) -> {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (sent) {
            sent.add(new Sent(room, batch, done));
        }
        return done;
    }, meters.rooms);

    private CompletableFuture<Void> offer(int room, String msg) {
        CompletableFuture<Void> handed = new CompletableFuture<>();
        RoomBatcher.Offer o = rooms.offer(RoomKeys.ofV1(room), Dispatcher.packet(Op.SEND_MSG_REPLY, ByteString.copyFromUtf8(msg)), handed);
        return o == RoomBatcher.Offer.ACCEPTED ? handed : null;
    }

    /** Splits an OP_RAW body back into its packets' bodies, checking each header. */
    private static List<String> bodies(Proto batch) {
        assertEquals(Op.RAW, batch.getOp());
        ByteBuffer b = batch.getBody().asReadOnlyByteBuffer();
        List<String> out = new ArrayList<>();
        while (b.hasRemaining()) {
            int length = b.getInt();
            assertEquals(16, b.getShort());
            assertEquals(Packets.PUSH_VER, b.getShort());
            assertEquals(Op.SEND_MSG_REPLY, b.getInt());
            assertEquals(0, b.getInt());
            byte[] body = new byte[length - 16];
            b.get(body);
            out.add(new String(body, StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void anIdleRoomSendsAMessageAtOnceWithoutWaitingForTheSignal() {
        CompletableFuture<Void> handed = offer(1, "a");
        assertEquals(1, sent.size(), "sent without any time passing");
        assertEquals(List.of("a"), bodies(sent.get(0).batch()));
        assertFalse(handed.isDone(), "handed only when the comets answered");
        sent.get(0).done().complete(null);
        assertTrue(handed.isDone());
        assertEquals(0, rooms.active(), "an empty room's batcher retires");
    }

    @Test
    void messagesArrivingWhileABatchIsInFlightAreSentTogetherWhenItCompletes() {
        offer(1, "a");
        offer(1, "b");
        offer(1, "c");
        assertEquals(1, sent.size(), "b and c wait for a's batch");
        sent.get(0).done().complete(null);
        assertEquals(2, sent.size());
        assertEquals(List.of("b", "c"), bodies(sent.get(1).batch()));
        assertEquals(1.5, JobCounts.meanBatchSize(registry));
    }

    @Test
    void aBatchIsSentWhenItReachesTheBatchSizeEvenWhileAnotherIsInFlight() {
        offer(1, "a");
        offer(1, "b");
        offer(1, "c");
        offer(1, "d");
        assertEquals(2, sent.size(), "3 collected messages are a full batch");
        assertEquals(List.of("b", "c", "d"), bodies(sent.get(1).batch()));
        assertEquals(3, JobCounts.largestBatch(registry));
    }

    @Test
    void collectedMessagesAreSentWhenTheSignalTimePasses() {
        offer(1, "a");
        offer(1, "b");
        clock.advance(Duration.ofMillis(999));
        assertEquals(1, sent.size());
        clock.advance(Duration.ofMillis(1));
        assertEquals(2, sent.size(), "b waited the signal time");
        assertEquals(List.of("b"), bodies(sent.get(1).batch()));
    }

    @Test
    void aFullRoomQueueRefusesMessagesUntilItsBatchesAreHandedOn() {
        offer(1, "a");
        for (String m : List.of("b", "c", "d", "e")) {
            assertTrue(offer(1, m) != null);
        }
        assertEquals(null, offer(1, "f"), "5 queued: full");
        assertTrue(offer(2, "x") != null, "other rooms are not affected");
        sent.get(0).done().complete(null); // a handed on; b c d were sent at batch size, e is collected
        assertTrue(offer(1, "f") != null);
    }

    @Test
    void roomsKeepTheirOwnOrderAndBatches() {
        offer(1, "a1");
        offer(2, "b1");
        offer(1, "a2");
        offer(2, "b2");
        assertEquals(2, sent.size());
        sent.get(0).done().complete(null);
        sent.get(1).done().complete(null);
        assertEquals(List.of("a2"), bodies(sent.get(2).batch()));
        assertEquals("1", sent.get(2).room());
        assertEquals(List.of("b2"), bodies(sent.get(3).batch()));
        assertEquals("2", sent.get(3).room());
    }
}
