package io.goim.job;

import io.goim.libs.testing.Counts;
import io.micrometer.core.instrument.MeterRegistry;

/** Job's counts as tests read them: through the registry, under their metric names. */
public final class JobCounts {
    private JobCounts() {
    }

    /** {@code goim_job_push_calls_total{kind, outcome}}: comet calls for pushes of {@code kind}, ok or given up. */
    public static long calls(MeterRegistry r, JobMeters.Kind kind, boolean ok) {
        return Counts.of(r, "goim_job_push_calls", "kind", kind.tag(), "outcome", ok ? "ok" : "given_up");
    }

    /** {@code goim_job_pushes_total{kind}}: valid records of {@code kind}. */
    public static long records(MeterRegistry r, JobMeters.Kind kind) {
        return Counts.of(r, "goim_job_pushes", "kind", kind.tag());
    }

    /** Calls given up, every comet's ({@code goim_job_comet_given_up_total{comet}} summed). */
    public static long givenUp(MeterRegistry r) {
        return Counts.sum(r, "goim_job_comet_given_up");
    }

    /** Mean messages per room batch so far; 0 before the first batch. */
    public static double meanBatchSize(MeterRegistry r) {
        long batches = Counts.of(r, "goim_job_room_batches");
        return batches == 0 ? 0 : (double) Counts.of(r, "goim_job_room_batched_messages") / batches;
    }

    /** The largest room batch sent so far. */
    public static long largestBatch(MeterRegistry r) {
        return Math.round(r.get("goim_job_room_largest_batch").gauge().value());
    }
}
