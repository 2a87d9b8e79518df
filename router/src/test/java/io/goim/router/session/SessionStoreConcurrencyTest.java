package io.goim.router.session;

import io.goim.protocol.RoomKeys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Many threads racing on few users and shards; the counters must still add up. */
class SessionStoreConcurrencyTest {
    private static final int THREADS = 8;
    private static final int OPS = 20_000;

    @Test
    void concurrentPutsDelsTouchesAndDelServersLeaveCountersConsistent() throws Exception {
        AtomicLong now = new AtomicLong();
        SessionStore store = new SessionStore(4, Duration.ofSeconds(10), now::get);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int t = 0; t < THREADS; t++) {
                int server = t % 3 + 1;
                done.add(pool.submit(() -> {
                    go.await();
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    List<long[]> mine = new ArrayList<>();
                    for (int i = 0; i < OPS; i++) {
                        long user = r.nextInt(50);
                        switch (r.nextInt(10)) {
                            case 0, 1, 2, 3 -> mine.add(new long[] {user, store.put(user, server, RoomKeys.ofV1(r.nextInt(-1, 5)))});
                            case 4, 5, 6 -> {
                                if (!mine.isEmpty()) {
                                    long[] c = mine.remove(r.nextInt(mine.size()));
                                    store.del(c[0], (int) c[1]);
                                }
                            }
                            case 7 -> store.touch(user, r.nextInt(1, 20), server, RoomKeys.ofV1(r.nextInt(-1, 5)));
                            case 8 -> now.addAndGet(Duration.ofMillis(r.nextInt(5)).toNanos());
                            default -> {
                                if (r.nextInt(100) == 0) {
                                    store.delServer(r.nextInt(1, 4));
                                } else {
                                    store.expire();
                                }
                            }
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(store.countersAgreeWithSessions(), "every counter matches the sessions left");
        int total = store.allServerCount().values().stream().mapToInt(Integer::intValue).sum();
        assertEquals(store.count(), total);
        assertEquals(store.getAll().stream().mapToInt(u -> u.seqs().length).sum(), store.count());

        for (int server = 1; server <= 3; server++) {
            store.delServer(server);
        }
        assertEquals(0, store.count());
        assertEquals(Map.of(), store.allRoomCount());
        assertTrue(store.countersAgreeWithSessions());
    }
}
