package io.goim.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.goim.libs.testing.Await;
import io.goim.libs.testing.RedisExtension;
import io.goim.proto.RenewOnlineReq;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With Redis as the session store, a comet's online counts are updated by a second script
 * after the sessions' one; a count update lost on the way (its reply lost to a command
 * timeout, or a logic that died between the two) leaves the count off. The comet's own
 * counts, which it reports with every RenewOnline, correct it: a difference seen unchanged in
 * two reports in a row. Against a real redis-server, through logic's gRPC service.
 */
class RedisCountCorrectionTest {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static LogicHarness logic() throws Exception {
        return new LogicHarness(0, false, Map.of(
                "logic.session.store", "redis",
                "logic.session.redis.uris", List.of(redis.uri())));
    }

    /** Comet 1 reports holding {@code connections} connections, {@code inRoom1} of them in room "1", and no other room. */
    private static RenewOnlineReq report(int connections, int inRoom1) {
        return RenewOnlineReq.newBuilder().setServer(1).putRoomCount("1", inRoom1).setCounted(true)
                .setConnections(connections).setAllRooms(true).build();
    }

    private static String count(String field) {
        return redis.command("HGET ol_{1} " + field);
    }

    private static double corrected(LogicHarness h) {
        return h.logic.registry().get("goim_logic_counts_corrected").counter().count();
    }

    @Test
    void aCountALostUpdateLeftOffIsCorrectedAfterTwoReports() throws Exception {
        try (LogicHarness h = logic()) {
            h.connect("7", 1);
            h.connect("8", 1);
            assertEquals("2", count("n"));
            // What a Disconnect whose count update was lost leaves: one too many, in its
            // room and in a room the comet no longer holds.
            redis.command("HINCRBY ol_{1} n 1");
            redis.command("HINCRBY ol_{1} r1 1");
            redis.command("HINCRBY ol_{1} r9 1");

            h.comet.renewOnline(report(2, 2));
            Await.until("the first report's differences remembered", Duration.ofSeconds(10),
                    () -> "1".equals(redis.command("HGET olc_{1} n")));
            assertEquals("3", count("n"), "one report alone may be changes in flight: nothing corrected");

            h.connect("9", 1); // a login between the reports: its count stays
            h.comet.renewOnline(report(3, 3));
            Await.until("the counts corrected", Duration.ofSeconds(10), () -> "3".equals(count("n")));
            assertEquals("3", count("r1"));
            assertEquals("$-1", count("r9"), "a room the comet does not hold is gone");
            assertEquals(":0", redis.command("EXISTS olc_{1}"), "nothing left to watch");
            assertEquals(3.0, corrected(h));
        }
    }

    @Test
    void aDifferenceThatChangesBetweenReportsIsChangesInFlightAndStays() throws Exception {
        try (LogicHarness h = logic()) {
            h.connect("7", 1);
            h.connect("8", 1);
            // The comet's report crossed a login logic had stored but not yet answered.
            h.comet.renewOnline(report(1, 1));
            Await.until("the difference remembered", Duration.ofSeconds(10),
                    () -> "1".equals(redis.command("HGET olc_{1} n")));
            h.comet.renewOnline(report(2, 2)); // the login arrived: no difference now
            Await.until("the difference forgotten", Duration.ofSeconds(10),
                    () -> ":0".equals(redis.command("EXISTS olc_{1}")));
            assertEquals("2", count("n"));
            assertEquals("2", count("r1"));
            assertEquals(0.0, corrected(h));
        }
    }

    /** Call {@code part} of {@code parts} of report {@code round} of comet 1, listing {@code rooms}. */
    private static RenewOnlineReq part(long round, int part, int parts, int connections, Map<String, Integer> rooms) {
        return RenewOnlineReq.newBuilder().setServer(1).putAllRoomCount(rooms).setCounted(true)
                .setConnections(connections).setRound(round).setPart(part).setParts(parts).build();
    }

    /**
     * A comet with more rooms than one call carries splits its report over several calls.
     * When every call of a round arrives, in order, a room the store counts on that comet
     * and no call lists (a lost -1 of a room it no longer holds) is corrected like in a
     * one-call report, after two rounds; a room an earlier call listed is not. A round with
     * a call missing corrects only what its calls list.
     */
    @Test
    void aReportSplitOverSeveralCallsCorrectsARoomNoCallListsOnlyWhenEveryCallArrived() throws Exception {
        try (LogicHarness h = logic()) {
            h.connect("7", 1); // one connection, in room 1
            redis.command("HINCRBY ol_{1} r9 1"); // a room comet 1 no longer holds: a lost update left it
            // A RenewOnline is answered once its correction ran, so a comet's next call finds
            // the previous one applied, and the test can read Redis right after each answer.

            // Rounds 1 and 2 miss their second call: r9 is listed by none, but they are not whole.
            for (long round = 1; round <= 2; round++) {
                h.comet.renewOnline(part(round, 1, 3, 1, Map.of("1", 1)));
                h.comet.renewOnline(part(round, 3, 3, 1, Map.of()));
            }
            assertEquals("$-1", redis.command("HGET olc_{1} r9"), "rounds with a call missing: r9 not known wrong");
            assertEquals("1", count("r9"));

            for (long round = 3; round <= 4; round++) {
                for (int p = 1; p <= 3; p++) {
                    h.comet.renewOnline(part(round, p, 3, 1, p == 1 ? Map.of("1", 1) : Map.of()));
                }
                if (round == 3) {
                    assertEquals("1", redis.command("HGET olc_{1} r9"), "a whole round: r9's difference remembered");
                    assertEquals("1", count("r9"));
                    assertEquals("$-1", redis.command("HGET olc_{1} r1"), "listed by the first call: not by the last");
                }
            }
            assertEquals("$-1", count("r9"), "two whole rounds: corrected");
            assertEquals("1", count("r1"));
            assertEquals("1", count("n"));
            assertEquals(1.0, corrected(h));
            assertEquals(":0", redis.command("EXISTS olr_{1}"), "the last call of a round forgets its parts");
        }
    }

    /** A comet with more rooms than one call carries lists some in each: the rooms not listed are left alone. */
    @Test
    void aReportOfSomeRoomsOnlyLeavesTheOthersAlone() throws Exception {
        try (LogicHarness h = logic()) {
            h.connect("7", 1);
            redis.command("HINCRBY ol_{1} r1 1");
            redis.command("HINCRBY ol_{1} r9 1");
            RenewOnlineReq part = RenewOnlineReq.newBuilder().setServer(1).putRoomCount("1", 1).setCounted(true)
                    .setConnections(1).setAllRooms(false).build();
            h.comet.renewOnline(part);
            h.comet.renewOnline(part);
            Await.until("the room listed corrected", Duration.ofSeconds(10), () -> "1".equals(count("r1")));
            assertEquals("1", count("r9"), "a room of another call: not known to be wrong");
            assertEquals("1", count("n"));
            assertEquals(1.0, corrected(h));
        }
    }
}
