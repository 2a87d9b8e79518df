package io.goim.job;

import io.goim.libs.admin.AdminServer;
import io.goim.libs.admin.Meters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.LongAdder;

/**
 * Job's metrics, read from {@link JobCounters} when {@code /metrics} is scraped (nothing
 * is added to the consume path); comet RPC timings come from {@link CometClient}'s
 * interceptor. docs/operations.md says what each means and when to alert.
 */
final class JobMetrics {
    private JobMetrics() {
    }

    /** A registry with the JVM metrics and job's counters. */
    static PrometheusMeterRegistry registry(JobCounters c) {
        PrometheusMeterRegistry r = AdminServer.newRegistry("job");
        Meters.counter(r, "goim_job_consumed", c.consumed, "Records consumed from Kafka");
        Meters.counter(r, "goim_job_malformed", c.malformed, "Records that could not be parsed; skipped");
        Meters.counter(r, "goim_job_unknown_comet", c.unknownComet, "User pushes for a comet not configured; skipped");
        FunctionCounter.builder("goim_job_comet_calls", c.cometCallsOk, LongAdder::sum)
                .description("Push calls to comets by outcome (given_up: the push did not reach that comet)")
                .tag("outcome", "ok").register(r);
        FunctionCounter.builder("goim_job_comet_calls", c.cometCallsGivenUp, LongAdder::sum)
                .description("Push calls to comets by outcome (given_up: the push did not reach that comet)")
                .tag("outcome", "given_up").register(r);
        for (JobCounters.Kind kind : JobCounters.Kind.values()) {
            FunctionCounter.builder("goim_job_pushes", c, counters -> counters.received(kind))
                    .description("Valid push records consumed, by kind (user, broadcast, room)")
                    .tag("kind", kind.tag()).register(r);
            FunctionCounter.builder("goim_job_push_calls", c, counters -> counters.calls(kind, true))
                    .description("Pushes handed to comets, by kind and outcome: one per push and comet (given_up: that push did not reach that comet); user pushes that piled up share one call, see goim_job_user_batches_total")
                    .tag("kind", kind.tag()).tag("outcome", "ok").register(r);
            FunctionCounter.builder("goim_job_push_calls", c, counters -> counters.calls(kind, false))
                    .description("Pushes handed to comets, by kind and outcome: one per push and comet (given_up: that push did not reach that comet); user pushes that piled up share one call, see goim_job_user_batches_total")
                    .tag("kind", kind.tag()).tag("outcome", "given_up").register(r);
        }
        // goim_job_comet_given_up{comet}: registered by CometSet as each comet joins.
        Meters.counter(r, "goim_job_comet_retries", c.cometRetries, "Comet calls retried after a transient failure");
        Meters.counter(r, "goim_job_room_backpressure", c.roomBackpressure,
                "Offers of room messages refused because the room queue was full (the partition waits in Kafka)");
        Meters.counter(r, "goim_job_room_batches", c.roomBatches, "OP_RAW room batches sent");
        Meters.counter(r, "goim_job_room_batched_messages", c.roomBatchedMessages,
                "Room messages sent in batches (divided by goim_job_room_batches_total: mean batch size)");
        Gauge.builder("goim_job_room_largest_batch", c.roomLargestBatch, a -> a.get())
                .description("Largest room batch sent so far").register(r);
        Meters.counter(r, "goim_job_comet_poll_failures", c.cometPollFailures, "Polls of comets that got no answer");
        Meters.counter(r, "goim_job_commits", c.commits, "Offset commits that succeeded");
        Meters.counter(r, "goim_job_pauses", c.pauses, "Times a partition was paused (backpressure)");
        Meters.counter(r, "goim_job_partitions_revoked", c.partitionsRevoked, "Partitions revoked in rebalances");
        Meters.counter(r, "goim_job_revoke_abandoned", c.revokeAbandoned,
                "Records of revoked partitions still in flight when revoke-grace ran out");
        Gauge.builder("goim_job_consumer_lag", c.lag, a -> a.get())
                .description("Records in the assigned partitions not yet consumed").register(r);
        return r;
    }

    /** Adds the gauge of rooms with queued messages. */
    static void bindRooms(MeterRegistry r, RoomBatchers rooms) {
        Gauge.builder("goim_job_active_rooms", rooms, RoomBatchers::active)
                .description("Rooms with messages queued in their batchers").register(r);
    }
}
