package io.goim.job.rooms;

import com.google.protobuf.ByteString;
import io.goim.job.JobConfig;
import io.goim.job.JobMeters;
import io.goim.job.Scheduler;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The batchers of the active rooms: one per room with messages queued, created on the
 * room's first message and forgotten when its queue is empty again.
 *
 * <p>Thread-safe.
 */
public final class RoomBatchers {
    private final Map<String, RoomBatcher> rooms = new ConcurrentHashMap<>();
    private final JobConfig.Room config;
    private final Scheduler scheduler;
    private final RoomBatcher.Sender sender;
    private final JobMeters.Rooms meters;

    public RoomBatchers(JobConfig.Room config, Scheduler scheduler, RoomBatcher.Sender sender, JobMeters.Rooms meters) {
        this.config = config;
        this.scheduler = scheduler;
        this.sender = sender;
        this.meters = meters;
    }

    /** Offers one packet to {@code room}'s batcher: {@link RoomBatcher.Offer#ACCEPTED} or {@link RoomBatcher.Offer#FULL}. */
    public RoomBatcher.Offer offer(String room, ByteString packet, CompletableFuture<Void> handed) {
        while (true) {
            RoomBatcher b = rooms.computeIfAbsent(room,
                    r -> new RoomBatcher(r, config, scheduler, sender, meters, this::forget));
            RoomBatcher.Offer result = b.offer(packet, handed);
            if (result != RoomBatcher.Offer.RETIRED) {
                return result;
            }
            forget(b); // it retired between the lookup and the offer
        }
    }

    /** Rooms with messages queued. */
    public int active() {
        return rooms.size();
    }

    private void forget(RoomBatcher b) {
        rooms.remove(b.room(), b);
    }
}
