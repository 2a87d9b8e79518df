package io.goim.job;

import static io.goim.job.JobFixture.WAIT;
import static io.goim.job.JobFixture.awaitPolled;
import static io.goim.job.JobFixture.broadcast;
import static io.goim.job.JobFixture.flush;
import static io.goim.job.JobFixture.job;
import static io.goim.job.JobFixture.kafka;
import static io.goim.job.JobFixture.room;
import static io.goim.job.JobFixture.send;
import static io.goim.job.JobFixture.topic;
import static io.goim.job.JobFixture.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.goim.protocol.Op;
import io.goim.libs.testing.Await;
import io.goim.proto.PushMsg;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Kafka record cannot speak for the server: whatever its {@code operation} says, job
 * makes comets send only pushes (op 5), and counts the records whose operation it replaced.
 */
class ControlOperationsTest {
    @BeforeAll
    static void startKafka() throws Exception {
        kafka();
    }

    @Test
    void everyRecordReachesTheCometAsAPushWhateverItsOperationSays() throws Exception {
        String topic = topic(1);
        try (RecordingComet comet = RecordingComet.start(); JobServer job = job(topic, Map.of(1, comet))) {
            awaitPolled(comet);
            send(topic, "1", op(user(1, "disconnect", "1_1"), Op.DISCONNECT_REPLY));
            send(topic, "1", op(user(1, "auth-reply", "1_1"), Op.AUTH_REPLY));
            send(topic, "", op(broadcast("heartbeat-reply"), Op.HEARTBEAT_REPLY));
            send(topic, "7", op(room(7, "raw", false), Op.RAW));
            send(topic, "7", op(room(7, "undefined", false), Op.FIRST_BUSINESS - 1)); // 1000 and up are a backend's pushes
            send(topic, "1", op(user(1, "push", "1_1"), Op.SEND_MSG_REPLY));
            send(topic, "1", user(1, "no-operation", "1_1")); // 0: goim's default, a push
            flush();

            Await.until("all seven delivered", WAIT, () -> comet.ops.size() == 7);
            assertEquals(Set.of("disconnect", "auth-reply", "heartbeat-reply", "raw", "undefined", "push",
                    "no-operation"), new HashSet<>(comet.bodies()));
            assertEquals(7, Collections.frequency(comet.ops, Op.SEND_MSG_REPLY), "only op 5 reaches comet: " + comet.ops);
            for (String op : new String[] {"disconnect_reply", "auth_reply", "heartbeat_reply", "raw", "unknown"}) {
                assertEquals(1.0, job.registry().get("goim_job_record_operations_replaced").tag("op", op).counter()
                        .count(), op);
            }
            assertEquals(5.0, job.registry().get("goim_job_record_operations_replaced").counters().stream()
                    .mapToDouble(io.micrometer.core.instrument.Counter::count).sum(), "pushes are not counted as replaced");
        }
    }

    private static PushMsg op(PushMsg msg, int operation) {
        return msg.toBuilder().setOperation(operation).build();
    }
}
