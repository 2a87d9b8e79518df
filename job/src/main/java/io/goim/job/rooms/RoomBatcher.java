package io.goim.job.rooms;

import com.google.protobuf.ByteString;
import io.goim.job.JobConfig;
import io.goim.job.JobMeters;
import io.goim.job.Scheduler;
import io.goim.protocol.Op;
import io.goim.protocol.Packets;
import io.goim.proto.Proto;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The batcher of one active room: merges the room's messages, already encoded as
 * complete client packets, into goim OP_RAW batches and sends them, in Kafka order.
 *
 * <pre>
 *  Proto { ver = 0, op = 11 (OP_RAW), seq = 0, body = packet packet packet ... }
 *  packet = | length int32 | 16 int16 | ver int16 | op int32 | seq int32 | body |   (see the protocol module's Packets and PacketBatch)
 * </pre>
 *
 * <p>When to send (goim waits for N messages or the signal time; this sends as soon as it
 * can and batches only what piles up meanwhile):
 * <ul>
 *   <li>no batch of this room in flight: send at once, even a single message;</li>
 *   <li>a batch in flight: collect; send when it completes, or when N messages are
 *       collected, or when the first collected message has waited the signal time —
 *       whichever comes first.</li>
 * </ul>
 * Several batches may be in flight; each comet still receives them in order because a
 * room always uses the same lane of each {@link io.goim.job.comets.CometClient}.
 *
 * <p>The room's queue holds the messages accepted and not yet handed to every comet
 * (collected plus in flight); {@link #offer} refuses a message when it holds
 * {@code queue-size}. A batcher with nothing queued retires itself; {@link RoomBatchers}
 * then forgets it and makes a new one for the room's next message.
 *
 * <p>Thread-safe: guarded by its own monitor; batches are sent outside it.
 */
public final class RoomBatcher {
    /** What {@link #offer} did with a message. */
    public enum Offer {
        /** Queued; its future completes when it was handed to every comet that needed it. */
        ACCEPTED,
        /** The room's queue is full; the message was not taken. */
        FULL,
        /** This batcher retired; offer to the room's new batcher. */
        RETIRED
    }

    /** Sends one batch to the comets that host the room; the future completes when all answered or gave up. */
    @FunctionalInterface
    public interface Sender {
        CompletableFuture<?> send(String room, Proto batch);
    }

    private record Message(ByteString packet, CompletableFuture<Void> handed) {
    }

    /** The room key. */
    private final String room;
    private final JobConfig.Room config;
    private final Scheduler scheduler;
    private final Sender sender;
    private final JobMeters.Rooms meters;
    private final Consumer<RoomBatcher> retire;
    private List<Message> collected = new ArrayList<>();
    /** Sealed batches not yet given to the sender, in seal order. */
    private final ArrayDeque<List<Message>> sealed = new ArrayDeque<>();
    /** A thread is giving sealed batches to the sender; others leave theirs to it, so order holds. */
    private boolean submitting;
    private int queued;
    private int inFlight;
    private boolean timerArmed;
    private long timerGeneration;
    private boolean retired;

    RoomBatcher(String room, JobConfig.Room config, Scheduler scheduler, Sender sender, JobMeters.Rooms meters,
            Consumer<RoomBatcher> retire) {
        this.room = room;
        this.config = config;
        this.scheduler = scheduler;
        this.sender = sender;
        this.meters = meters;
        this.retire = retire;
    }

    String room() {
        return room;
    }

    /** Queues one complete client packet; {@code handed} completes once it was sent (or given up) everywhere. */
    Offer offer(ByteString packet, CompletableFuture<Void> handed) {
        synchronized (this) {
            if (retired) {
                return Offer.RETIRED;
            }
            if (queued >= config.queueSize()) {
                return Offer.FULL;
            }
            collected.add(new Message(packet, handed));
            queued++;
            if (inFlight == 0 || collected.size() >= config.batch()) {
                seal();
            } else if (!timerArmed) {
                timerArmed = true;
                long generation = timerGeneration;
                scheduler.schedule(config.signal(), () -> signal(generation));
            }
        }
        submitSealed();
        return Offer.ACCEPTED;
    }

    /** Messages queued (collected plus in flight). */
    synchronized int queued() {
        return queued;
    }

    /** The signal time passed for the collected messages of timer {@code generation}. */
    private void signal(long generation) {
        synchronized (this) {
            if (generation != timerGeneration || collected.isEmpty()) {
                return;
            }
            seal();
        }
        submitSealed();
    }

    /** Takes the collected messages as one batch in flight, queued for {@link #submitSealed}. Caller holds the monitor. */
    private void seal() {
        sealed.add(collected);
        collected = new ArrayList<>();
        inFlight++;
        timerArmed = false;
        timerGeneration++;
    }

    /**
     * Gives sealed batches to the sender in seal order, outside the monitor (a sender may
     * complete a batch on this very thread). Batches sealed meanwhile by another thread
     * are left to the thread already submitting, so two batches never race to a lane.
     */
    private void submitSealed() {
        while (true) {
            List<Message> batch;
            synchronized (this) {
                if (submitting || sealed.isEmpty()) {
                    return;
                }
                batch = sealed.poll();
                submitting = true;
            }
            try {
                send(batch);
            } finally {
                synchronized (this) {
                    submitting = false;
                }
            }
        }
    }

    private void send(List<Message> batch) {
        List<ByteString> packets = new ArrayList<>(batch.size());
        for (Message m : batch) {
            packets.add(m.packet());
        }
        Proto raw = Proto.newBuilder()
                .setVer(Packets.PUSH_VER)
                .setOp(Op.RAW)
                .setBody(ByteString.copyFrom(packets)) // a rope: the packets are not copied
                .build();
        meters.batches().increment();
        meters.messages().increment(batch.size());
        meters.largest().accumulate(batch.size());
        sender.send(room, raw).whenComplete((v, error) -> completed(batch));
    }

    private void completed(List<Message> batch) {
        for (Message m : batch) {
            m.handed().complete(null);
        }
        boolean idle;
        synchronized (this) {
            inFlight--;
            queued -= batch.size();
            if (!collected.isEmpty()) {
                seal();
            }
            idle = queued == 0;
            retired = idle;
        }
        if (idle) {
            retire.accept(this);
        } else {
            submitSealed();
        }
    }
}
