package io.goim.job.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.typesafe.config.ConfigFactory;
import io.goim.job.JobConfig;
import io.goim.job.JobMeters;
import io.goim.job.ManualScheduler;
import io.goim.job.comets.CometSet;
import io.goim.job.consume.Dispatched;
import io.goim.job.rooms.RoomBatchers;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.testing.Counts;
import io.goim.proto.Proto;
import io.goim.proto.PushMsg;
import io.goim.protocol.Packets;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Fuzzes how job turns a Kafka record's value into a push ({@link Dispatcher#dispatch}):
 * any bytes must give a future that completes without failing, a malformed record must
 * be counted and skipped, and a room push must come out as exactly one well-formed client
 * packet (16-byte header, the record's message as body) in the room's batch. No comet is
 * configured, so user pushes and broadcasts stop at the comet lookup and fan-out (their
 * gRPC calls are covered by the delivery tests, not here).
 *
 * <p>Input: the record value. Seeds:
 * {@code src/test/resources/io/goim/job/RecordDecodeFuzzTestInputs/}.
 */
class RecordDecodeFuzzTest {
    private static final JobConfig CONFIG = JobConfig.from(ConfigLoader.withDefaults(ConfigFactory.parseMap(Map.of())));

    @FuzzTest(maxDuration = "10m")
    void dispatch(byte[] value) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JobMeters meters = new JobMeters(registry);
        ManualScheduler scheduler = new ManualScheduler();
        List<Proto> batches = new ArrayList<>();
        RoomBatchers rooms = new RoomBatchers(CONFIG.room(), scheduler, (room, batch) -> {
            batches.add(batch);
            return CompletableFuture.completedFuture(null);
        }, meters.rooms);
        Dispatcher dispatcher = new Dispatcher(CometSet.empty(), rooms, meters.dispatch, (d, t) -> { }, Duration.ZERO);

        Dispatched dispatched = dispatcher.dispatch(value, "fuzz");
        assertInstanceOf(Dispatched.Taken.class, dispatched, "a fresh room queue is never full");
        CompletableFuture<Void> done = ((Dispatched.Taken) dispatched).handedOn();
        scheduler.advance(Duration.ofHours(1));
        assertTrue(done.isDone() && !done.isCompletedExceptionally(), "dispatch completes and never fails");

        PushMsg msg;
        try {
            msg = PushMsg.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            assertEquals(1, Counts.of(registry, "goim_job_malformed"), "a record that is not a PushMsg is counted");
            assertTrue(batches.isEmpty());
            return;
        }
        switch (msg.getType()) {
            case BROADCAST_ROOM -> {
                if (Dispatcher.roomOf(msg).isEmpty()) {
                    assertEquals(1, Counts.of(registry, "goim_job_malformed"), "a room record without a room is counted malformed");
                    assertTrue(batches.isEmpty());
                    return;
                }
                assertEquals(1, batches.size(), "one room batch");
                ByteString raw = batches.get(0).getBody();
                ByteString body = msg.getMsg();
                assertEquals(Packets.HEADER_LENGTH + body.size(), raw.size(), "one packet, nothing else");
                assertEquals(raw.size(), raw.substring(0, 4).asReadOnlyByteBuffer().getInt(), "packet length");
                assertEquals(Packets.HEADER_LENGTH, raw.substring(4, 6).asReadOnlyByteBuffer().getShort(), "header length");
                assertEquals(body, raw.substring(Packets.HEADER_LENGTH), "the record's message is the body");
            }
            case MULTIPLE -> assertEquals(1, Counts.of(registry, "goim_job_unknown_comet"), "no comet configured: counted");
            case BROADCAST -> assertTrue(batches.isEmpty());
            default -> assertEquals(1, Counts.of(registry, "goim_job_malformed"), "type " + msg.getType() + " is counted malformed");
        }
    }
}
