package io.goim.comet.push;

import io.goim.comet.CometMeters;
import io.goim.comet.session.Connection;
import io.goim.comet.session.ConnectionRegistry;
import io.goim.comet.session.Members;
import io.goim.libs.log.RateLimitedLog;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;

/**
 * The pushes waiting for one event loop's connections, and the passes that write them.
 * Any thread {@link #offer offers} a {@link Delivery}; the loop writes them in passes, at
 * most one at a time per lane, each taking everything queued since the last one:
 *
 * <pre>
 *   gRPC threads ──offer──► [ room 1: m1 ][ key k: m2 ][ room 1: m3 ][ all: m4 ]
 *
 *   key lane    write m2 to k, flush                                       (at once)
 *   room lane   a round through the connection buckets 0..31:
 *                 bucket b: room 1's members in b on this loop ◄── m1+m3, merged, encoded once
 *                           every connection in b on this loop  ◄── m4
 *                           flush each connection written to (one socket write each)
 *               before each bucket, what arrived meanwhile joins the round
 * </pre>
 *
 * At idle a round carries one message, which leaves at once; when the loop is behind,
 * the messages that piled up for a room leave together, one write per member, so the cost
 * of a round stays one write per connection however many messages it carries.
 *
 * <p>Why bucket by bucket, and why arrivals join mid-round: a round over a big room is
 * long (a socket write per member; 2,500 members of a loop took 100–250 ms on a busy
 * machine), and a message that had to wait for the round under way to end, and then for
 * its member's turn in the next, waited up to two rounds. Taking arrivals at each bucket,
 * a message reaches the buckets still ahead in the round under way at once and those
 * already passed in the next round ({@link RoomBacklog} keeps how far each bucket got), so
 * a member waits at most about one round and the rest after it.
 *
 * <p>The room lane <em>rests</em> after a round ({@link PassRest}, {@code comet.push.rest}):
 * a share of the time the round took, within a cycle. Room and broadcast messages that
 * arrive meanwhile leave together when the rest ends; a small room's round is short and so
 * is its rest, and the first message after a quiet spell leaves at once:
 *
 * <pre>
 *   room offers   m1          m2  m3   m4              (quiet)        m5
 *   room rounds   [ m1 ]─rest─[ m2 m3 m4 ]─rest─                      [ m5 ]─rest─
 * </pre>
 *
 * Pushes to keys (and a paced broadcast's steps) have their own lane that never waits for
 * a rest: a user push stays as quick as at idle, whatever the rooms on its loop do.
 * A room's (and everyone's) messages keep their order; a connection's pushes to its key
 * keep theirs. Order across those kinds is not kept (nor is it in goim).
 *
 * <p>Nothing is dropped because something is full: a connection whose own backlog passes
 * {@code comet.write-buffer.max-backlog} is closed as a slow consumer (counted), and a
 * connection that is closed is skipped. The comet bounds what may wait here in bytes
 * ({@link Outboxes}); past that, job is told to retry later. A room delivery is finished
 * (its bytes released, its call answered once every loop is done) when every bucket has
 * been written it.
 *
 * <p>Thread-safe: {@link #offer} from any thread; the passes are confined to the loop.
 */
public final class LoopOutbox {
    /** Deliveries one pass or round takes at most, so a flood of offers cannot hold the loop forever. */
    private static final int MAX_PER_PASS = 4_096;
    private static final RateLimitedLog FINISH_LOG =
            new RateLimitedLog(LoggerFactory.getLogger(LoopOutbox.class), 10, TimeUnit.SECONDS);

    private final EventLoop loop;
    private final Outboxes outboxes;
    /** Pushes to keys and paced broadcasts' steps: passed as soon as the loop gets to them. */
    private final Lane keys = new Lane();
    /** Room and broadcast messages: a round at once, or when the rest after the last round ends. */
    private final Lane rooms = new Lane();
    private final PassRest rest;
    /** Loop-confined: the room lane rests after a round, and {@link #cooled} starts the next. */
    private boolean cooling;
    /** Loop-confined: per room (null: broadcasts), the messages some bucket is still owed; none empty. */
    private final Map<String, RoomBacklog> backlogs = new LinkedHashMap<>();
    // Scratch state of a pass, confined to the loop and emptied after each.
    private final List<Delivery> taken = new ArrayList<>();
    private final Members members = new Members();
    private final Members written = new Members();
    /** While writing a bucket that one room's messages go to: flush each connection right after its write. */
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
            schedule(rooms, rest.none() ? this::round : this::roundUnlessCooling);
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
                    finish(d);
                }
            }
            if (loop.inEventLoop()) {
                abandonBacklogs();
            }
        }
    }

    /** One pass over the key lane: each push written to its connection(s), each connection flushed once. */
    private void passKeys() {
        keys.scheduled.set(false); // an offer from now on schedules another pass
        Delivery d;
        while (taken.size() < MAX_PER_PASS && (d = keys.queue.poll()) != null) {
            taken.add(d);
        }
        if (!keys.queue.isEmpty() && keys.scheduled.compareAndSet(false, true)) {
            start(this::passKeys); // more than one pass takes: the others next
        }
        try {
            for (Delivery t : taken) {
                if (t.kind == Delivery.Kind.KEY) {
                    if (write(t.connection, t.message)) {
                        t.delivered(1);
                        counted(1, t.message);
                    }
                } else {
                    int n = 0;
                    for (Connection c : t.connections) {
                        if (write(c, t.message)) {
                            n++;
                        }
                    }
                    t.delivered(n);
                    counted(n, t.message);
                }
            }
            flushWritten();
        } finally {
            taken.forEach(this::finish);
            taken.clear();
            clearWritten();
        }
    }

    /** On the loop: a room round now, unless the room lane rests; then {@link #cooled} starts it. */
    private void roundUnlessCooling() {
        if (!cooling) {
            round();
        }
    }

    /** On the loop, when the rest after a round ends: a round if anything arrived meanwhile or is still owed. */
    private void cooled() {
        cooling = false;
        if (rooms.scheduled.get() || !backlogs.isEmpty()) {
            round();
        }
    }

    /** One room round: see the class comment. */
    private void round() {
        long started = System.nanoTime();
        rooms.scheduled.set(false); // an offer from now on schedules another round (or joins this one)
        int took = take(started, MAX_PER_PASS);
        boolean wrote = false;
        ConnectionRegistry registry = outboxes.buckets();
        try {
            for (int b = 0, n = registry.bucketCount(); b < n; b++) {
                if (b > 0 && took < MAX_PER_PASS) {
                    took += take(System.nanoTime(), MAX_PER_PASS - took);
                }
                // One room (the common case) writes each connection of a bucket once, so each
                // is flushed right after its write, while its channel is still in the cache;
                // otherwise once per connection after the bucket.
                flushEach = backlogs.size() == 1;
                for (RoomBacklog log : backlogs.values()) {
                    if (log.owes(b)) {
                        writeBucket(log, b, registry);
                        wrote = true;
                    }
                }
                flushWritten();
            }
        } finally {
            flushEach = false;
            members.clear();
            clearWritten();
            for (Iterator<RoomBacklog> it = backlogs.values().iterator(); it.hasNext(); ) {
                RoomBacklog log = it.next();
                log.finishWritten(this::finish);
                if (log.isEmpty()) {
                    it.remove();
                }
            }
            if (wrote) {
                outboxes.meters().roomPass().record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            }
            next(started, wrote, took >= MAX_PER_PASS);
        }
    }

    /** Moves up to {@code max} room deliveries from the queue to their backlogs; returns how many. */
    private int take(long now, int max) {
        int n = 0;
        Delivery d;
        while (n < max && (d = rooms.queue.poll()) != null) {
            n++;
            outboxes.meters().roomWait().record(now - d.offeredNanos, TimeUnit.NANOSECONDS);
            String room = d.kind == Delivery.Kind.ALL ? null : d.room;
            RoomBacklog log = backlogs.get(room);
            if (log == null) {
                log = new RoomBacklog(room, outboxes.buckets().bucketCount());
                backlogs.put(room, log);
            }
            log.add(d);
        }
        return n;
    }

    /** Writes what bucket {@code b} is owed of {@code log} to its members on this loop. */
    private void writeBucket(RoomBacklog log, int b, ConnectionRegistry registry) {
        if (log.room == null) {
            registry.collectAll(b, loop, members);
        } else {
            registry.collectRoom(b, log.room, loop, members);
        }
        int n = 0;
        try {
            if (members.size() > 0) {
                PushMessage msg = log.owed(b, outboxes);
                for (int i = 0; i < members.size(); i++) {
                    if (write(members.get(i), msg)) {
                        n++;
                    }
                }
                counted(n, msg);
            }
        } finally {
            members.clear();
            log.written(b, n);
        }
    }

    /**
     * After a round begun at {@code started}: the rest it earned, then the next round if
     * something waits; at once when there is no rest, or when the round took all it may
     * ({@code full}) and more may wait.
     */
    private void next(long started, boolean wrote, boolean full) {
        long left = wrote && !full && !rest.none() ? rest.afterNanos(System.nanoTime() - started) : 0;
        if (left > 0 && !loop.isShuttingDown()) {
            cooling = true;
            try {
                // A loop that stops cancels what it has scheduled: what waits is then written
                // (or skipped, its connections closing) at once, so no call is left unanswered.
                loop.schedule(this::cooled, left, TimeUnit.NANOSECONDS).addListener(f -> {
                    if (f.isCancelled()) {
                        cooled();
                    }
                });
                return;
            } catch (RejectedExecutionException e) { // the loop is stopping: no rest to wait for
                cooling = false;
            }
        }
        if ((full || !backlogs.isEmpty()) && rooms.scheduled.compareAndSet(false, true)) {
            start(this::round);
        }
    }

    /** The loop is stopping: every room delivery still owed is finished unwritten (its connections are closing). */
    private void abandonBacklogs() {
        for (RoomBacklog log : backlogs.values()) {
            log.finishAll(this::finish);
        }
        backlogs.clear();
    }

    /** Written (or skipped): releases the delivery; a completion that fails must not strand the others. */
    private void finish(Delivery d) {
        try {
            d.finish(outboxes);
        } catch (RuntimeException e) {
            FINISH_LOG.warn("completing a push call failed: {}", e.toString());
        }
    }

    private void flushWritten() {
        for (int i = 0; i < written.size(); i++) {
            Connection c = written.get(i);
            c.flushPending = false;
            c.flushPushes();
        }
        written.clear();
    }

    /** After a failed pass too, so the next one flushes what this one wrote. */
    private void clearWritten() {
        for (int i = 0; i < written.size(); i++) {
            written.get(i).flushPending = false;
        }
        written.clear();
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
