package io.goim.libs.testing;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * Leak checks for fuzz tests, run after every input, so the input that leaked is the one
 * that fails (and is kept by the fuzzer as a finding):
 * <ul>
 *   <li>exact: every buffer the code under test allocated through {@link #allocator()},
 *       and every input buffer passed through {@link #track}, must be released
 *       ({@code refCnt() == 0}) once the channel is finished. A retained slice that is
 *       never released keeps its parent's count up, so it is caught too. The allocator is
 *       unpooled on purpose: a pooled buffer object is recycled, and its count is 1 again
 *       when someone else takes it.</li>
 *   <li>Netty's own detector (tests run it at paranoid): a listener records its reports,
 *       and every {@value #GC_EVERY} inputs a GC makes it report what was collected
 *       unreleased. Buffers created outside the tracking allocator (e.g.
 *       {@code Unpooled.wrappedBuffer}) are covered by this one only.</li>
 * </ul>
 * One instance per fuzz test class; not thread-safe (fuzz inputs run one at a time).
 */
public final class FuzzLeaks {
    private static final int GC_EVERY = 4096;
    private static final List<String> REPORTS = new ArrayList<>();
    private static boolean listening;

    private final List<ByteBuf> owned = new ArrayList<>();
    private final ByteBufAllocator allocator = new AbstractByteBufAllocator(false) {
        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return remember(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return remember(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    };
    private long inputs;

    public FuzzLeaks() {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new IllegalStateException("fuzz tests must run with -Dio.netty.leakDetection.level=paranoid, got "
                    + ResourceLeakDetector.getLevel());
        }
        listenOnce();
    }

    /** Allocates unpooled buffers and remembers each one; give it to the channel under test. */
    public ByteBufAllocator allocator() {
        return allocator;
    }

    /** An input buffer holding {@code bytes}, checked like an allocated one. */
    public ByteBuf track(byte[] bytes) {
        // From the allocator, not Unpooled: an empty copy would be the shared EMPTY_BUFFER,
        // whose count never drops.
        return allocator.heapBuffer(bytes.length).writeBytes(bytes);
    }

    private ByteBuf remember(ByteBuf buf) {
        owned.add(buf);
        return buf;
    }

    /**
     * Call after the channel is finished and everything it produced released: fails if a
     * remembered buffer is still referenced or Netty reported a leak; then forgets them.
     */
    public void assertNoLeaks() {
        int live = 0;
        StringBuilder which = new StringBuilder();
        for (ByteBuf b : owned) {
            if (b.refCnt() != 0) {
                live++;
                if (live <= 3) {
                    which.append("\n  refCnt ").append(b.refCnt()).append(": ").append(b);
                }
                // Released here so one leak does not fail every later input.
                b.release(b.refCnt());
            }
        }
        owned.clear();
        if (live > 0) {
            throw new AssertionError(live + " buffer(s) not released after the input:" + which);
        }
        if (++inputs % GC_EVERY == 0) {
            collect();
        }
        String report = drainReports();
        if (report != null) {
            throw new AssertionError("Netty reported a leak:\n" + report);
        }
    }

    /** Forces a GC and allocates tracked buffers: the detector reports only when it tracks a new one. */
    private static void collect() {
        System.gc();
        for (int i = 0; i < 8; i++) {
            Unpooled.buffer(1).release();
        }
    }

    private static synchronized String drainReports() {
        if (REPORTS.isEmpty()) {
            return null;
        }
        String all = String.join("\n\n", REPORTS);
        REPORTS.clear();
        return all;
    }

    private static synchronized void listenOnce() {
        if (listening) {
            return;
        }
        try {
            // The ByteBuf detector is a static of AbstractByteBuf, not reachable otherwise.
            Field f = AbstractByteBuf.class.getDeclaredField("leakDetector");
            f.setAccessible(true);
            ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) f.get(null);
            detector.setLeakListener((resourceType, records) -> {
                synchronized (FuzzLeaks.class) {
                    REPORTS.add(resourceType + " leaked:\n" + records);
                }
            });
            listening = true;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot hook Netty's leak detector", e);
        }
    }
}
