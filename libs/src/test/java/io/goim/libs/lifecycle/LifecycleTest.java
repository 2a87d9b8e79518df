package io.goim.libs.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.goim.libs.lifecycle.Lifecycle.Phase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LifecycleTest {
    @Test
    void runsPhasesInOrderAndEachPhaseLastRegisteredFirst() throws Exception {
        List<String> ran = new ArrayList<>();
        Lifecycle lifecycle = new Lifecycle("test");
        lifecycle.onClose(Phase.REST, "client", () -> ran.add("client"))
                .onClose(Phase.LAST, "admin", () -> ran.add("admin"))
                .onClose(Phase.EVENT_LOOPS, "loops", () -> ran.add("loops"))
                .onClose(Phase.SERVERS, "grpc", () -> ran.add("grpc"))
                .onClose(Phase.REST, "producer built on the client", () -> ran.add("producer"))
                .onClose(Phase.STOP_ACCEPTING, "listeners", () -> ran.add("listeners"))
                .onClose(Phase.DRAIN, "drain", () -> ran.add("drain"))
                .onClose(Phase.STOP_ACCEPTING, "announcement", () -> ran.add("announcement"));
        List<String> expected = List.of("announcement", "listeners", "drain", "grpc", "loops", "producer", "client",
                "admin");
        lifecycle.close();
        assertEquals(expected, ran);
    }

    @Test
    void runsEveryStepAfterAFailureAndKeepsTheFirst() {
        List<String> ran = new ArrayList<>();
        IllegalStateException first = new IllegalStateException("first");
        IllegalStateException second = new IllegalStateException("second");
        Lifecycle lifecycle = new Lifecycle("test")
                .onClose(Phase.REST, "d", () -> ran.add("d"))
                .onClose(Phase.REST, "c", () -> {
                    ran.add("c");
                    throw second;
                })
                .onClose(Phase.SERVERS, "b", () -> {
                    ran.add("b");
                    throw first;
                })
                .onClose(Phase.STOP_ACCEPTING, "a", () -> ran.add("a"));
        Exception thrown = assertThrows(Exception.class, lifecycle::close);
        assertSame(first, thrown);
        assertSame(second, thrown.getSuppressed()[0]);
        assertEquals(List.of("a", "b", "c", "d"), ran);
    }

    @Test
    void closingTwiceRunsNothingTheSecondTime() throws Exception {
        List<String> ran = new ArrayList<>();
        Lifecycle lifecycle = new Lifecycle("test").onClose(Phase.REST, "a", () -> ran.add("a"));
        lifecycle.close();
        lifecycle.close();
        assertEquals(List.of("a"), ran);
        assertThrows(IllegalStateException.class, () -> lifecycle.onClose(Phase.REST, "late", () -> { }));
    }

    @Test
    void aFailedStartClosesWhatWasRegisteredAndRethrows() {
        List<String> ran = new ArrayList<>();
        IllegalStateException injected = new IllegalStateException("injected");
        IllegalStateException closing = new IllegalStateException("closing");
        // Fails right after the second registration, as a start-up step would.
        Lifecycle lifecycle = new Lifecycle("test", step -> {
            if (step.equals("second")) {
                throw injected;
            }
        });
        Exception thrown = assertThrows(Exception.class, () -> Lifecycle.start(lifecycle, l -> {
            l.onClose(Phase.REST, "first", () -> ran.add("first"));
            l.onClose(Phase.SERVERS, "second", () -> {
                ran.add("second");
                throw closing;
            });
            l.onClose(Phase.REST, "never", () -> ran.add("never"));
            return "started";
        }));
        assertSame(injected, thrown);
        assertSame(closing, thrown.getSuppressed()[0]);
        assertEquals(List.of("second", "first"), ran);
    }
}
