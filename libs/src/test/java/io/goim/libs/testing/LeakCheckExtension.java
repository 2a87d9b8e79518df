package io.goim.libs.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test class when Netty's leak detector reported a leaked buffer while it ran.
 * Registered for every test of every module through JUnit's extension auto-detection
 * (see the surefire configuration in the parent POM), so no test can opt out.
 *
 * <p>After the class, it forces a GC and allocates a few tracked buffers: the detector
 * reports collected-but-unreleased buffers only when it tracks a new one.
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback {
    private static final LeakAppender APPENDER = new LeakAppender();

    @Override
    public void beforeAll(ExtensionContext context) {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new IllegalStateException("tests must run with -Dio.netty.leakDetection.level=paranoid, got "
                    + ResourceLeakDetector.getLevel());
        }
        APPENDER.installOnce();
        APPENDER.drain();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(20);
            for (int i = 0; i < 8; i++) {
                ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                ByteBuf b = Unpooled.buffer(16);
                a.release();
                b.release();
            }
        }
        List<String> leaks = APPENDER.drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " ByteBuf leak report(s) during "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", leaks));
        }
    }

    /** Collects Netty's leak reports from the log. */
    private static final class LeakAppender extends AppenderBase<ILoggingEvent> {
        private final List<String> reports = new ArrayList<>();

        synchronized void installOnce() {
            if (isStarted()) {
                return;
            }
            LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
            setContext(ctx);
            setName("netty-leak-check");
            start();
            Logger logger = ctx.getLogger(ResourceLeakDetector.class);
            logger.addAppender(this);
        }

        @Override
        protected synchronized void append(ILoggingEvent event) {
            if (event.getFormattedMessage().contains("LEAK")) {
                reports.add(event.getFormattedMessage());
            }
        }

        synchronized List<String> drain() {
            List<String> copy = List.copyOf(reports);
            reports.clear();
            return copy;
        }
    }
}
