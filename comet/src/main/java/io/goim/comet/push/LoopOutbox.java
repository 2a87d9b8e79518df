package io.goim.comet.push;

import io.goim.comet.CometMeters;
import io.goim.comet.session.Connection;
import io.goim.comet.session.Members;
import io.goim.libs.log.RateLimitedLog;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;

/**
 * The pushes waiting for one event loop's connections, and the pass that writes them.
 * Any thread {@link #offer offers} a {@link Delivery}; the loop runs at most one pass at a
 * time, and a pass takes everything queued since the last one:
 *
 * <pre>
 *   gRPC threads ──offer──► [ room 1: m1 ][ key k: m2 ][ room 1: m3 ][ all: m4 ] ──one pass on the loop──►
 *
 *     key k          write m2 to k
 *     room 1         m1+m3 merged, encoded once ──► write to every member of room 1 on this loop
 *     everyone       m4 ──► write to every connection on this loop
 *     then           flush each connection written to once (one socket write each)
 * </pre>
 *
 * At idle a pass holds one message, which leaves at once; when the loop is behind, the
 * messages that piled up for a room leave together, one write per member, so the cost of
 * a pass stays one write per connection however many messages it carries.
 *
 * <p>A pass costs about one socket write per member, whatever it carries, and on a busy
 * loop passes follow each other as fast as they finish, each with what arrived during the
 * last: the quicker the writes, the more of them. So after a room pass the room lane
 * <em>rests</em> ({@link PassRest}, {@code comet.push.rest}): a share of the time the
 * pass took, capped. Room and broadcast messages that arrive meanwhile leave together
 * when the rest ends. A small room's pass is short and so is its rest; the first message
 * after a quiet spell leaves at once:
 *
 * <pre>
 *   room offers   m1          m2  m3   m4              (quiet)        m5
 *   room passes   [ m1 ]─rest─[ m2 m3 m4 ]─rest─                      [ m5 ]─rest─
 * </pre>
 *
 * Pushes to keys (and a paced broadcast's steps) have their own lane that never waits for
 * a window: a user push stays as quick as at idle, whatever the rooms on its loop do.
 * A room's (and everyone's) messages keep their order; a connection's pushes to its key
 * keep theirs. Order across those kinds is not kept (nor is it in goim).
 *
 * <p>Nothing is dropped because something is full: a connection whose own backlog passes
 * {@code comet.write-buffer.max-backlog} is closed as a slow consumer (counted), and a
 * connection that is closed is skipped. The comet bounds what may wait here in bytes
 * ({@link Outboxes}); past that, job is told to retry later.
 *
 * <p>Thread-safe: {@link #offer} from any thread; the passes are confined to the loop.
 */
public final class LoopOutbox {
    /** Deliveries one pass takes at most, so a flood of offers cannot hold the loop forever. */
    private static final int MAX_PER_PASS = 4_096;
    private static final RateLimitedLog FINISH_LOG =
            new RateLimitedLog(LoggerFactory.getLogger(LoopOutbox.class), 10, TimeUnit.SECONDS);

    private final EventLoop loop;
    private final Outboxes outboxes;
    /** Pushes to keys and paced broadcasts' steps: passed as soon as the loop gets to them. */
    private final Lane keys = new Lane();
    /** Room and broadcast messages: passed at once, or when the rest after the last such pass ends. */
    private final Lane rooms = new Lane();
    private final PassRest rest;
    /** Loop-confined: the room lane rests after a pass, and {@link #cooled} makes the next. */
    private boolean cooling;
    // Scratch state of a pass, confined to the loop and emptied after each pass.
    private final List<Delivery> taken = new ArrayList<>();
    private final Map<String, List<Delivery>> byRoom = new LinkedHashMap<>();
    private final List<Delivery> toAll = new ArrayList<>();
    private final Members members = new Members();
    private final Members written = new Members();
    /** In a pass that writes each connection at most once: flush each right after its write. */
    private boolean flushEach;

    /** One kind of waiting delivery: its queue, and whether a pass over it is on the loop's way. */
    private static final class Lane {
        final Queue<Delivery> queue = PlatformDependent.newMpscQueue();
        final AtomicBoolean scheduled = new AtomicBoolean();
    }

    LoopOutbox(EventLoop loop, Outboxes outboxes, PassRest rest) {
        this.loop = loop;
        this.outboxes = outboxes;
        this.rest = rest;
    }

    /** Queues {@code d} for this loop's next pass; the delivery owns a reference to its message. */
    void offer(Delivery d) {
        if (d.kind == Delivery.Kind.KEY || d.kind == Delivery.Kind.SOME) {
            keys.queue.offer(d);
            schedule(keys, this::passKeys);
        } else {
            rooms.queue.offer(d);
            schedule(rooms, rest.none() ? this::passRooms : this::passRoomsUnlessCooling);
        }
    }

    private void schedule(Lane lane, Runnable pass) {
        if (lane.scheduled.compareAndSet(false, true)) { // else a pass is on its way: it takes this delivery too
            start(pass);
        }
    }

    /** Runs {@code pass} on the loop, or, when the loop is stopping, finishes what waits here unwritten. */
    private void start(Runnable pass) {
        try {
            loop.execute(pass);
        } catch (RejectedExecutionException e) { // the loop is stopping; its connections are closing
            for (Lane lane : new Lane[] {keys, rooms}) {
                lane.scheduled.set(false);
                Delivery d;
                while ((d = lane.queue.poll()) != null) {
                    d.finish(outboxes);
                }
            }
        }
    }

    private void passKeys() {
        pass(keys);
    }

    private void passRooms() {
        pass(rooms);
    }

    /** On the loop: a room pass now, unless the room lane rests; then {@link #cooled} makes it. */
    private void passRoomsUnlessCooling() {
        if (!cooling) {
            pass(rooms);
        }
    }

    /** On the loop, when the rest after a room pass ends: a pass if anything arrived meanwhile. */
    private void cooled() {
        cooling = false;
        if (rooms.scheduled.get()) {
            pass(rooms);
        }
    }

    /** One pass over {@code lane}: see the class comment. */
    private void pass(Lane lane) {
        long started = System.nanoTime();
        lane.scheduled.set(false); // an offer from now on schedules another pass
        Delivery d;
        while (taken.size() < MAX_PER_PASS && (d = lane.queue.poll()) != null) {
            taken.add(d);
        }
        if (!lane.queue.isEmpty() && lane.scheduled.compareAndSet(false, true)) {
            start(lane == keys ? this::passKeys : this::passRooms); // more than one pass takes: the others next, without a rest
        }
        boolean roomPass = lane == rooms && !taken.isEmpty();
        boolean cool = roomPass && !rest.none();
        try {
            for (Delivery t : taken) {
                switch (t.kind) {
                    case KEY -> {
                        if (write(t.connection, t.message)) {
                            t.delivered(1);
                            counted(1, t.message);
                        }
                    }
                    case SOME -> {
                        int n = 0;
                        for (Connection c : t.connections) {
                            if (write(c, t.message)) {
                                n++;
                            }
                        }
                        t.delivered(n);
                        counted(n, t.message);
                    }
                    case ROOM -> {
                        waited(t, started);
                        byRoom.computeIfAbsent(t.room, r -> new ArrayList<>(2)).add(t);
                    }
                    case ALL -> {
                        waited(t, started);
                        toAll.add(t);
                    }
                }
            }
            // One group (the common room pass: one room, or only a broadcast) writes each
            // connection once, so each is flushed right after its write, while its channel
            // is still in the cache; otherwise after the pass, once per connection.
            flushEach = byRoom.size() + (toAll.isEmpty() ? 0 : 1) == 1;
            for (Map.Entry<String, List<Delivery>> e : byRoom.entrySet()) {
                outboxes.buckets().collectRoom(e.getKey(), loop, members);
                writeToMembers(e.getValue());
            }
            if (!toAll.isEmpty()) {
                outboxes.buckets().collectAll(loop, members);
                writeToMembers(toAll);
            }
            for (int i = 0; i < written.size(); i++) {
                Connection c = written.get(i);
                c.flushPending = false;
                c.flushPushes();
            }
        } finally {
            for (Delivery t : taken) {
                try {
                    t.finish(outboxes);
                } catch (RuntimeException e) { // a completion that failed must not strand the others
                    FINISH_LOG.warn("completing a push call failed: {}", e.toString());
                }
            }
            flushEach = false;
            taken.clear();
            byRoom.clear();
            toAll.clear();
            members.clear();
            for (int i = 0; i < written.size(); i++) {
                written.get(i).flushPending = false; // after a failed pass too, so the next one flushes it
            }
            written.clear();
            if (roomPass) {
                outboxes.meters().roomPass().record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            }
            if (cool) {
                coolFrom(started);
            }
        }
    }

    private void waited(Delivery t, long passStarted) {
        outboxes.meters().roomWait().record(passStarted - t.offeredNanos, TimeUnit.NANOSECONDS);
    }

    /** Holds the next room pass for the rest that a pass begun at {@code started} earns. */
    private void coolFrom(long started) {
        long left = rest.afterNanos(System.nanoTime() - started);
        if (left <= 0 || cooling || loop.isShuttingDown()) {
            return;
        }
        cooling = true;
        try {
            // A loop that stops cancels what it has scheduled: what waits is then written (or
            // skipped, its connections closing) at once, so no call is left unanswered.
            loop.schedule(this::cooled, left, TimeUnit.NANOSECONDS).addListener(f -> {
                if (f.isCancelled()) {
                    cooled();
                }
            });
        } catch (RejectedExecutionException e) { // the loop is stopping: no rest to wait for
            cooling = false;
        }
    }

    /** Writes the messages of {@code group}, merged into one, to every connection in {@link #members}. */
    private void writeToMembers(List<Delivery> group) {
        PushMessage msg = group.size() == 1 ? group.get(0).message : merge(group);
        int n = 0;
        try {
            for (int i = 0; i < members.size(); i++) {
                if (write(members.get(i), msg)) {
                    n++;
                }
            }
        } finally {
            if (group.size() > 1) {
                msg.release();
            }
            members.clear();
        }
        counted(n, msg);
        outboxes.merged(group.size());
        for (Delivery t : group) {
            t.delivered(n);
        }
    }

    private PushMessage merge(List<Delivery> group) {
        List<PushMessage> parts = new ArrayList<>(group.size());
        for (Delivery t : group) {
            parts.add(t.message);
        }
        return PushMessage.merge(ByteBufAllocator.DEFAULT, parts);
    }

    /** Counts {@code writes} writes of {@code msg}, once per group rather than per connection. */
    private void counted(int writes, PushMessage msg) {
        CometMeters.Push meters = outboxes.meters();
        meters.queued().increment(writes);
        meters.packetsWritten().increment((double) writes * msg.packets());
    }

    /**
     * Queues {@code msg} on {@code c}'s channel without flushing (the pass flushes once).
     * False when the channel is closed, or is closed now because its backlog passed
     * {@code max-backlog}: a client too slow for its own socket.
     */
    private boolean write(Connection c, PushMessage msg) {
        if (c == null) {
            return false;
        }
        if (c.v2 != null) {
            // A v2 login filters operations; a v1 connection (no state) takes the shared message as it is.
            PushMessage accepted = msg.acceptedBy(c.v2);
            if (accepted == null) {
                return false;
            }
            if (accepted != msg) {
                try {
                    return writeAccepted(c, accepted);
                } finally {
                    accepted.release();
                }
            }
        }
        return writeAccepted(c, msg);
    }

    private boolean writeAccepted(Connection c, PushMessage msg) {
        Channel ch = c.channel;
        ChannelOutboundBuffer backlog = ch.unsafe().outboundBuffer();
        if (!ch.isActive() || backlog == null) {
            return false;
        }
        if (backlog.totalPendingWriteBytes() + msg.size() > outboxes.maxBacklog()) {
            outboxes.meters().dropped().increment();
            outboxes.slowConsumer(c, backlog.totalPendingWriteBytes());
            return false;
        }
        c.writePush(msg.frame(c.wire, c.v2 != null));
        if (flushEach) {
            c.flushPushes();
        } else if (!c.flushPending) {
            c.flushPending = true;
            written.add(c);
        }
        outboxes.whitelist().log(c.key, "push of {} packet(s) to {}", msg.packets(), c);
        return true;
    }
}
