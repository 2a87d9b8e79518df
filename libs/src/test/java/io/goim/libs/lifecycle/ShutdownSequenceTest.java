package io.goim.libs.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShutdownSequenceTest {
    @Test
    void runsStepsInOrderAndKeepsGoingAfterAFailure() {
        List<String> ran = new ArrayList<>();
        IllegalStateException first = new IllegalStateException("first");
        IllegalStateException second = new IllegalStateException("second");
        ShutdownSequence seq = new ShutdownSequence("test")
                .then("a", () -> ran.add("a"))
                .then("b", () -> {
                    ran.add("b");
                    throw first;
                })
                .then("c", () -> {
                    ran.add("c");
                    throw second;
                })
                .then("d", () -> ran.add("d"));
        Exception thrown = assertThrows(Exception.class, seq::close);
        assertSame(first, thrown);
        assertSame(second, thrown.getSuppressed()[0]);
        assertEquals(List.of("a", "b", "c", "d"), ran);
    }

    @Test
    void closingTwiceRunsNothingTheSecondTime() throws Exception {
        List<String> ran = new ArrayList<>();
        ShutdownSequence seq = new ShutdownSequence("test").then("a", () -> ran.add("a"));
        seq.close();
        seq.close();
        assertEquals(List.of("a"), ran);
    }
}
