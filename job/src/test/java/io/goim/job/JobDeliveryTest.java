package io.goim.job;

import static io.goim.job.JobFixture.WAIT;
import static io.goim.job.JobFixture.awaitPolled;
import static io.goim.job.JobFixture.broadcast;
import static io.goim.job.JobFixture.flush;
import static io.goim.job.JobFixture.freePort;
import static io.goim.job.JobFixture.job;
import static io.goim.job.JobFixture.jobAt;
import static io.goim.job.JobFixture.kafka;
import static io.goim.job.JobFixture.legacyRoom;
import static io.goim.job.JobFixture.room;
import static io.goim.job.JobFixture.send;
import static io.goim.job.JobFixture.sendRaw;
import static io.goim.job.JobFixture.topic;
import static io.goim.job.JobFixture.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.Counts;
import io.goim.proto.PushMsg;
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Job against a real Kafka broker (in-process KRaft) and real comet gRPC servers on
 * loopback ports ({@link RecordingComet}): every kind of record, routing, dead comets,
 * ensure against drop, and the delivery guarantee across rebalances and a crash.
 */
class JobDeliveryTest {
    @BeforeAll
    static void startKafka() throws Exception {
        kafka();
    }

    @Test
    void everyKindOfRecordReachesTheCometsThatNeedIt() throws Exception {
        String topic = topic(2);
        try (RecordingComet one = RecordingComet.start(); RecordingComet two = RecordingComet.start()) {
            try (JobServer job = job(topic, Map.of(1, one, 2, two))) {
                awaitPolled(one, two);
                send(topic, "1", user(1, "to-one", "1_1", "2_1"));
                send(topic, "2", user(2, "to-two", "3_1"));
                send(topic, "9", user(9, "to-nobody", "4_1"));
                sendRaw(topic, "x", new byte[] {(byte) 0xff, 1, 2});
                send(topic, "x", PushMsg.newBuilder().setMsg(ByteString.copyFromUtf8("no type")).build());
                send(topic, "", broadcast("to-all"));
                send(topic, "7", room(7, "room-7", false));
                send(topic, "8", room(8, "room-8", false));
                send(topic, "9", room(9, "room-9", false));
                flush();

                Await.until("every record consumed", WAIT, () -> Counts.of(job.registry(), "goim_job_consumed") == 9);
                Await.until("all delivered", WAIT, () -> one.received.size() == 5 && two.received.size() == 5);
                assertEquals(List.of("1_1", "2_1"), one.received.stream().filter(r -> r.rpc().equals("mpush"))
                        .findFirst().orElseThrow().keys());
                assertEquals(Set.of("to-one", "to-all", "room-7", "room-8", "room-9"), new HashSet<>(one.bodies()));
                assertEquals(Set.of("to-two", "to-all", "room-7", "room-8", "room-9"), new HashSet<>(two.bodies()),
                        "room messages go to every comet");
                assertEquals(2, Counts.of(job.registry(), "goim_job_malformed"), "junk bytes and a record without type");
                assertEquals(1, Counts.of(job.registry(), "goim_job_unknown_comet"));
                assertEquals(0, JobCounts.givenUp(job.registry()));
                assertEquals(3, JobCounts.records(job.registry(), JobMeters.Kind.USER), "three user pushes, one for an unknown comet");
                assertEquals(1, JobCounts.records(job.registry(), JobMeters.Kind.BROADCAST));
                assertEquals(3, JobCounts.records(job.registry(), JobMeters.Kind.ROOM));
                // A comet records a message when it arrives; job counts the call when the answer is back.
                Await.until("calls counted: one per comet for the broadcast and each room batch", WAIT,
                        () -> JobCounts.calls(job.registry(), JobMeters.Kind.USER, true) == 2 && JobCounts.calls(job.registry(), JobMeters.Kind.BROADCAST, true) == 2
                                && JobCounts.calls(job.registry(), JobMeters.Kind.ROOM, true) == 6);
                assertEquals(0, JobCounts.calls(job.registry(), JobMeters.Kind.ROOM, false));
            }
        }
    }

    /**
     * A comet that answers nothing (here: nothing listens) holds its calls, and the
     * partitions they are in, only for job.comet-stall-limit: then it is stalled, what
     * waits for it is given up (counted as stalled) and the live comet gets everything.
     * Its first answer to job's poll takes it back.
     */
    @Test
    void aCometThatAnswersNothingPastTheStallLimitHoldsNeitherALiveOneNorThePartitionAndIsUsedAgainWhenItComesBack()
            throws Exception {
        String topic = topic(1);
        int deadPort = freePort();
        try (RecordingComet live = RecordingComet.start()) {
            try (JobServer job = jobAt(topic, Map.of("1", live.address(), "2", "127.0.0.1:" + deadPort),
                    "job.comet-timeout", "500ms", "job.comet-stall-limit", "1s", "job.kafka.max-in-flight", 50)) {
                for (int i = 0; i < 200; i++) {
                    send(topic, "", broadcast("b" + i));
                }
                flush();
                Await.until("live comet got all 200", WAIT, () -> live.received.size() == 200);
                Await.until("dead comet's calls given up", WAIT, () -> Counts.of(job.registry(), "goim_job_comet_given_up",
                        "comet", "2", "reason", "stalled") == 200);
                assertEquals(1, Counts.of(job.registry(), "goim_job_comet_stalls", "comet", "2"));
                assertTrue(Counts.of(job.registry(), "goim_job_pauses") > 0, "the partition waited, for a while");
                assertEquals(0, Counts.of(job.registry(), "goim_job_comet_stalls", "comet", "1"));
                assertEquals(200, JobCounts.givenUp(job.registry()), "every call given up is comet 2's");
                assertEquals(200, JobCounts.calls(job.registry(), JobMeters.Kind.BROADCAST, false), "given up, by kind");

                try (RecordingComet back = RecordingComet.startOn(deadPort)) {
                    Await.until("comet 2 is used again", WAIT, () -> {
                        send(topic, "", broadcast("again"));
                        flush();
                        return back.bodies().contains("again");
                    });
                }
            }
        }
    }

    @Test
    void aSlowCometDoesNotDelayALiveOne() throws Exception {
        String topic = topic(1);
        try (RecordingComet live = RecordingComet.start(); RecordingComet slow = RecordingComet.start()) {
            try (JobServer job = job(topic, Map.of(1, live, 2, slow), "job.comet-timeout", "60s")) {
                awaitPolled(live, slow);
                slow.hold(); // takes each call, answers none: each of its lanes has one call in flight
                for (int i = 0; i < 100; i++) {
                    send(topic, "", broadcast("b" + i));
                }
                flush();
                Await.until("the live comet got all 100", WAIT, () -> live.received.size() == 100);
                assertTrue(slow.received.size() <= 8, "one call per lane of the slow comet: " + slow.received.size());
                assertEquals(0, JobCounts.givenUp(job.registry()));
                slow.release();
                Await.until("the slow comet catches up", WAIT, () -> {
                    slow.release(); // answers what arrived since
                    return slow.received.size() == 100;
                });
            }
        }
    }

    @Test
    void userPushesThatPileUpBehindACallInFlightLeaveTogetherInOneCallInKafkaOrder() throws Exception {
        String topic = topic(1);
        try (RecordingComet slow = RecordingComet.start()) {
            try (JobServer job = job(topic, Map.of(1, slow), "job.comet-timeout", "60s")) {
                awaitPolled(slow);
                slow.hold();
                send(topic, "1", user(1, "u0", "1_1"));
                flush();
                Await.until("the first push leaves at once, alone", WAIT, () -> slow.held() == 1);
                for (int i = 1; i < 10; i++) {
                    send(topic, "1", user(1, "u" + i, i % 3 == 0 ? new String[] {"1_1", "1_2"} : new String[] {"1_1"}));
                }
                flush();
                Await.until("all consumed while the first call is out", WAIT, () -> Counts.of(job.registry(), "goim_job_consumed") == 10);
                assertEquals(1, slow.received.size(), "the others wait for the call in flight");
                slow.release();
                Await.until("every push delivered", WAIT, () -> slow.received.size() == 10);
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    expected.add("u" + i);
                }
                assertEquals(expected, slow.bodies(), "Kafka order");
                assertEquals(List.of(1, 12), slow.userCallEntries, "two calls: u0 alone, then the nine (three with two keys)");
                assertEquals(List.of("1_1", "1_2"), slow.received.get(3).keys());
                Await.until("each push counted as handed on", WAIT,
                        () -> JobCounts.calls(job.registry(), JobMeters.Kind.USER, true) == 10);
                assertEquals(2.0, AdminScrape.metrics(job.adminPort()).value("goim_job_user_batches_total", "comet", "1"));
                assertEquals(10.0, AdminScrape.metrics(job.adminPort()).value("goim_job_user_batched_pushes_total", "comet", "1"));
            }
        }
    }

    /**
     * Rooms are room keys: a typed room's record reaches comets under its key, a v1 room's
     * under "N", and a record written before room keys (only the int room_id, as it may wait
     * in Kafka across an upgrade) is still delivered to v1 room N. A record with neither is
     * malformed.
     */
    @Test
    void roomRecordsOfBothFormatsReachTheirRoomKeys() throws Exception {
        String topic = topic(1);
        try (RecordingComet comet = RecordingComet.start()) {
            try (JobServer job = job(topic, Map.of(1, comet))) {
                awaitPolled(comet);
                send(topic, "12", legacyRoom(12, "old-format"));
                send(topic, "12", room(12, "new-format", false));
                send(topic, "live://1000", room("live://1000", "typed"));
                send(topic, "x", legacyRoom(-1, "no room"));
                flush();

                Await.until("every record consumed", WAIT, () -> Counts.of(job.registry(), "goim_job_consumed") == 4);
                Await.until("all delivered", WAIT, () -> comet.received.size() == 3);
                assertEquals(List.of("old-format", "new-format"), comet.bodies("room", "12"),
                        "an int-only record reaches v1 room 12, in order with the new one");
                assertEquals(List.of("typed"), comet.bodies("room", "live://1000"));
                assertEquals(1, Counts.of(job.registry(), "goim_job_malformed"), "a room record without a room");
            }
        }
    }

    @Test
    void aFullRoomQueueMakesTheRecordsWaitInKafkaWithOrWithoutEnsure() throws Exception {
        String topic = topic(1);
        try (RecordingComet slow = RecordingComet.start()) {
            try (JobServer job = job(topic, Map.of(1, slow), "job.room.batch", 2, "job.room.queue-size", 4,
                    "job.comet-timeout", "60s")) {
                awaitPolled(slow);
                for (int room = 1; room <= 2; room++) {
                    boolean ensure = room == 2;
                    slow.hold();
                    long pauses = Counts.of(job.registry(), "goim_job_pauses");
                    for (int i = 0; i < 30; i++) {
                        send(topic, Integer.toString(room), room(room, "e" + i, ensure));
                    }
                    flush();
                    Await.until("a full room pauses consumption", WAIT, () -> Counts.of(job.registry(), "goim_job_pauses") > pauses);
                    assertTrue(Counts.of(job.registry(), "goim_job_room_backpressure") > 0);
                    int r = room;
                    Await.until("every message delivered in Kafka order", WAIT, () -> {
                        slow.release(); // let the held batches go, then hold the next ones again
                        slow.hold();
                        return slow.bodies("room", r).size() == 30;
                    });
                    slow.release();
                    List<String> expected = new ArrayList<>();
                    for (int i = 0; i < 30; i++) {
                        expected.add("e" + i);
                    }
                    assertEquals(expected, slow.bodies("room", room), "ensure=" + ensure);
                }
            }
        }
    }

    @Test
    void aCometThatAnswersBusyGetsEveryPushOnceItCatchesUpAndNothingIsGivenUp() throws Exception {
        String topic = topic(1);
        try (RecordingComet comet = RecordingComet.start()) {
            try (JobServer job = job(topic, Map.of(1, comet), "job.comet-backoff", "10ms")) {
                awaitPolled(comet);
                comet.busyFor(25); // a busy answer is an answer: retried without limit, being behind is not being down
                for (int i = 0; i < 10; i++) {
                    send(topic, "1", room(1, "r" + i, false));
                    send(topic, "u", user(1, "u" + i, "k_1"));
                }
                flush();
                Await.until("everything delivered", WAIT,
                        () -> comet.bodies("room", 1).size() == 10 && comet.bodies("mpush", -1).size() == 10);
                assertEquals(25, comet.busyAnswers.get());
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    expected.add("r" + i);
                }
                assertEquals(expected, comet.bodies("room", 1), "room order kept across busy retries");
                assertEquals(0, JobCounts.givenUp(job.registry()));
                assertEquals(25.0, job.registry().get("goim_job_comet_busy").counter().count());
                // Every retry carries its call's id, so a comet that did apply an attempt skips the repeat.
                List<Long> ids = comet.callIds;
                assertTrue(ids.stream().allMatch(id -> id != 0), "every push call has an id");
                assertEquals(ids.size() - 25, ids.stream().distinct().count(), "each refused attempt retried with its id");
            }
        }
    }

    /**
     * goim routes a room's messages only to the comets that hosted it at job's last
     * refresh, so a client that just joined misses them for up to a refresh period. Here
     * every room goes to every comet from the first message on, with the poll period
     * set to an hour so no refresh could help.
     */
    @Test
    void roomMessagesGoToEveryCometFromTheFirstMessageOn() throws Exception {
        String topic = topic(2);
        try (RecordingComet one = RecordingComet.start(); RecordingComet two = RecordingComet.start()) {
            try (JobServer job = job(topic, Map.of(1, one, 2, two), "job.comet-poll", "1h")) {
                for (int room = 1; room <= 3; room++) {
                    send(topic, Integer.toString(room), room(room, "r" + room, false));
                }
                flush();
                Await.until("delivered", WAIT, () -> one.received.size() == 3 && two.received.size() == 3);
                for (RecordingComet c : List.of(one, two)) {
                    for (int room = 1; room <= 3; room++) {
                        assertEquals(List.of("r" + room), c.bodies("room", room));
                    }
                }
            }
        }
    }
}
