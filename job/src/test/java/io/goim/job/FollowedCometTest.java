package io.goim.job;

import static io.goim.job.JobFixture.WAIT;
import static io.goim.job.JobFixture.awaitPolled;
import static io.goim.job.JobFixture.broadcast;
import static io.goim.job.JobFixture.flush;
import static io.goim.job.JobFixture.freePort;
import static io.goim.job.JobFixture.job;
import static io.goim.job.JobFixture.jobAt;
import static io.goim.job.JobFixture.kafka;
import static io.goim.job.JobFixture.room;
import static io.goim.job.JobFixture.send;
import static io.goim.job.JobFixture.topic;
import static io.goim.job.JobFixture.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.job.comets.CometClient;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.Counts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A comet job follows (announced in discovery, or configured) that is not up yet, or
 * slower than the call deadline, loses nothing: job retries its calls, the records stay
 * in flight, the partition pauses and the backlog waits in Kafka until the comet answers.
 * Calls are given up only for a comet that left discovery ({@code gone}) or that answered
 * nothing for {@code job.comet-stall-limit} ({@code stalled}; see JobDeliveryTest). Real
 * Kafka broker, real comet gRPC servers on loopback ports, and a real logic gRPC server
 * answering {@code Logic.Comets} ({@link AnnouncingLogic}).
 */
class FollowedCometTest {
    @BeforeAll
    static void startKafka() throws Exception {
        kafka();
    }

    /** Job settings for these tests: discovery from {@code logic}, small in-flight bound, quick polls and retries. */
    private static Object[] discovering(AnnouncingLogic logic, Object... more) {
        List<Object> o = new ArrayList<>(List.of(
                "job.discovery.enabled", true,
                "job.discovery.logic", logic.address(),
                "job.discovery.poll", "100ms",
                "job.discovery.remove-after", "0s",
                "job.comet-timeout", "500ms",
                "job.comet-backoff", "10ms",
                "job.comet-max-backoff", "200ms",
                "job.comet-stall-limit", "60s",
                "job.kafka.max-in-flight", 10,
                "job.kafka.properties.max.poll.records", "5"));
        o.addAll(List.of(more));
        return o.toArray();
    }

    private static long givenUp(JobServer job, int comet, CometClient.GiveUp reason) {
        return Counts.of(job.registry(), "goim_job_comet_given_up", "comet", Integer.toString(comet), "reason",
                reason.tag());
    }

    private static double lag(JobServer job) {
        return job.registry().get("goim_job_consumer_lag").gauge().value();
    }

    @Test
    void anAnnouncedCometThatIsNotUpYetGetsEveryPushOnceItIsWhileTheBacklogWaitsInKafka() throws Exception {
        String topic = topic(1);
        int latePort = freePort(); // announced, nothing listening yet: a comet whose gRPC is not up
        try (RecordingComet live = RecordingComet.start(); AnnouncingLogic logic = new AnnouncingLogic()) {
            logic.announce(1, live.port(), 2, latePort);
            try (JobServer job = jobAt(topic, Map.of(), discovering(logic))) {
                Await.until("job follows both comets", WAIT, () -> job.cometIds().containsAll(List.of(1, 2)));
                Set<String> all = new HashSet<>();
                for (int i = 0; i < 60; i++) {
                    String kind = i % 3 == 0 ? "b" : i % 3 == 1 ? "r" : "u";
                    all.add(kind + i);
                    send(topic, "k", switch (kind) {
                        case "b" -> broadcast("b" + i);
                        case "r" -> room(7, "r" + i, false);
                        default -> user(2, "u" + i, "k_2");
                    });
                }
                flush();
                Await.until("the partition pauses on the records held for comet 2", WAIT,
                        () -> Counts.of(job.registry(), "goim_job_pauses") > 0);
                Await.until("the backlog waits in Kafka", WAIT, () -> lag(job) > 0);
                Await.until("the live comet got the first ones meanwhile", WAIT, () -> !live.received.isEmpty());
                assertTrue(Counts.of(job.registry(), "goim_job_consumed") < 60,
                        "not all consumed while comet 2 is down: " + Counts.of(job.registry(), "goim_job_consumed"));
                // The first failed call may still be on its way back when the partition pauses.
                Await.until("job retries the calls to comet 2", WAIT,
                        () -> Counts.of(job.registry(), "goim_job_comet_retries") > 0);
                assertEquals(0, JobCounts.givenUp(job.registry()), "nothing given up for a comet still announced");

                try (RecordingComet late = RecordingComet.startOn(latePort)) {
                    Set<String> forLate = new HashSet<>(all);
                    Set<String> forLive = new HashSet<>();
                    all.stream().filter(b -> !b.startsWith("u")).forEach(forLive::add);
                    Await.until("comet 2 gets everything, comet 1 every broadcast and room message", WAIT,
                            () -> new HashSet<>(late.bodies()).equals(forLate)
                                    && new HashSet<>(live.bodies()).equals(forLive));
                    Await.until("everything consumed", WAIT,
                            () -> Counts.of(job.registry(), "goim_job_consumed") == 60 && lag(job) == 0);
                    assertEquals(0, JobCounts.givenUp(job.registry()));
                    List<String> roomOrder = new ArrayList<>();
                    for (int i = 1; i < 60; i += 3) {
                        roomOrder.add("r" + i);
                    }
                    assertEquals(roomOrder, dedup(late.bodies("room", 7)), "room 7 in Kafka order on the late comet");
                    assertEquals(roomOrder, live.bodies("room", 7), "and on the live one");
                }
            }
        }
    }

    /**
     * A comet that just started may log users in before job's next discovery poll finds
     * it: a user push for it waits for discovery ({@code job.discovery.unknown-comet-wait})
     * instead of being skipped, the pushes for it keep their order, and pushes for known
     * comets go past meanwhile. One for a comet never announced is skipped after the wait,
     * counted, and its record committed.
     */
    @Test
    void aUserPushForACometNotDiscoveredYetWaitsForDiscoveryAndIsSkippedOnlyAfterTheWait() throws Exception {
        String topic = topic(1);
        try (RecordingComet live = RecordingComet.start(); RecordingComet fresh = RecordingComet.start();
                AnnouncingLogic logic = new AnnouncingLogic()) {
            logic.announce(1, live.port());
            try (JobServer job = jobAt(topic, Map.of(), discovering(logic, "job.discovery.unknown-comet-wait", "60s"))) {
                Await.until("job follows comet 1", WAIT, () -> job.cometIds().contains(1));
                List<String> forFresh = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    forFresh.add("u" + i);
                    send(topic, "k", user(2, "u" + i, "k_2"));
                }
                send(topic, "k", user(1, "to-live", "k_1"));
                flush();
                Await.until("the push for comet 1 goes past those waiting for comet 2", WAIT,
                        () -> live.bodies().contains("to-live"));
                assertTrue(fresh.received.isEmpty());
                assertEquals(0, Counts.of(job.registry(), "goim_job_unknown_comet"), "waiting, not skipped");

                logic.announce(1, live.port(), 2, fresh.port());
                Await.until("comet 2 gets its pushes once discovered", WAIT, () -> fresh.bodies().size() == 5);
                assertEquals(forFresh, fresh.bodies(), "in Kafka order");
                Await.until("everything consumed", WAIT, () -> Counts.of(job.registry(), "goim_job_consumed") == 6
                        && lag(job) == 0);
                assertEquals(0, Counts.of(job.registry(), "goim_job_unknown_comet"));
            }
            try (JobServer job = jobAt(topic, Map.of(), discovering(logic, "job.discovery.unknown-comet-wait", "300ms"))) {
                send(topic, "k", user(3, "to-nobody", "k_3"));
                flush();
                Await.until("a push for a comet never announced is skipped after the wait", WAIT,
                        () -> Counts.of(job.registry(), "goim_job_unknown_comet") == 1);
                Await.until("and its record committed", WAIT, () -> lag(job) == 0);
            }
        }
    }

    @Test
    void aCometThatLeavesDiscoveryHasWhatWaitsForItGivenUpAsGoneAndThePartitionGoesOn() throws Exception {
        String topic = topic(1);
        int deadPort = freePort();
        try (RecordingComet live = RecordingComet.start(); AnnouncingLogic logic = new AnnouncingLogic()) {
            logic.announce(1, live.port(), 2, deadPort);
            try (JobServer job = jobAt(topic, Map.of(), discovering(logic))) {
                Await.until("job follows both comets", WAIT, () -> job.cometIds().containsAll(List.of(1, 2)));
                for (int i = 0; i < 40; i++) {
                    send(topic, "", broadcast("b" + i));
                }
                flush();
                Await.until("the partition pauses while comet 2 is announced and down", WAIT,
                        () -> Counts.of(job.registry(), "goim_job_pauses") > 0);
                assertEquals(0, JobCounts.givenUp(job.registry()));
                assertTrue(live.received.size() < 40, "held back with the partition: " + live.received.size());

                logic.announce(1, live.port()); // comet 2 withdrawn (or expired): its clients are gone
                Await.until("job drops comet 2", WAIT, () -> !job.cometIds().contains(2));
                Await.until("the live comet gets the rest", WAIT, () -> live.received.size() == 40);
                Await.until("everything consumed", WAIT,
                        () -> Counts.of(job.registry(), "goim_job_consumed") == 40 && lag(job) == 0);
                assertEquals(List.of(1), List.copyOf(job.cometIds()));
                long gone = givenUp(job, 2, CometClient.GiveUp.GONE);
                assertTrue(gone > 0 && gone <= 40, "what waited for comet 2 is given up as gone: " + gone);
                assertEquals(gone, JobCounts.givenUp(job.registry()), "and nothing else");
                assertEquals(gone, JobCounts.calls(job.registry(), JobMeters.Kind.BROADCAST, false));
            }
        }
    }

    /**
     * A comet that takes every call and answers none within the deadline (a cold JVM on a
     * loaded machine) is retried, with each call's id, until it answers: nothing is given
     * up, whatever the number of attempts.
     */
    @Test
    void aCometSlowerThanTheDeadlineGetsEveryPushOnceItAnswers() throws Exception {
        String topic = topic(1);
        try (RecordingComet slow = RecordingComet.start()) {
            try (JobServer job = job(topic, Map.of(1, slow), "job.comet-timeout", "200ms", "job.comet-backoff", "10ms",
                    "job.comet-max-backoff", "50ms")) {
                awaitPolled(slow);
                slow.hold();
                for (int i = 0; i < 20; i++) {
                    send(topic, "1", room(1, "r" + i, false));
                    send(topic, "u", user(1, "u" + i, "k_1"));
                }
                flush();
                Await.until("a call attempted five times, past the deadline each time", WAIT, () -> {
                    Map<Long, Integer> attempts = new HashMap<>();
                    slow.callIds.forEach(id -> attempts.merge(id, 1, Integer::sum));
                    return attempts.values().stream().anyMatch(n -> n >= 5);
                });
                assertEquals(0, JobCounts.givenUp(job.registry()));
                slow.release();
                Set<String> expected = new HashSet<>();
                for (int i = 0; i < 20; i++) {
                    expected.add("r" + i);
                    expected.add("u" + i);
                }
                Await.until("every push delivered", WAIT, () -> new HashSet<>(slow.bodies()).equals(expected));
                Await.until("every record handed on", WAIT,
                        () -> JobCounts.calls(job.registry(), JobMeters.Kind.USER, true) == 20);
                assertEquals(0, JobCounts.givenUp(job.registry()));
                assertTrue(Counts.of(job.registry(), "goim_job_comet_retries") >= 4);
            }
        }
    }

    /** The list without repeats, first occurrence kept (a retried call a comet recorded twice). */
    private static List<String> dedup(List<String> bodies) {
        return new ArrayList<>(new java.util.LinkedHashSet<>(bodies));
    }
}
