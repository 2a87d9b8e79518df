package io.goim.libs.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.goim.libs.lifecycle.Lifecycle;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Fails a service's start after each step its {@link Lifecycle} registers, in turn, and
 * checks after each failure that nothing is left behind: the service's threads (by name)
 * have ended, its ports can be bound again, and whatever the caller checks besides (peers
 * that see its channels closed).
 */
public final class StartFailures {
    static final Duration WAIT = Duration.ofSeconds(20);

    /** The failure injected after a registered step. */
    public static final class Injected extends RuntimeException {
        Injected(String step) {
            super("injected start failure after registering \"" + step + "\"");
        }
    }

    /** Starts the service on the given lifecycle. */
    @FunctionalInterface
    public interface Starter {
        AutoCloseable start(Lifecycle lifecycle) throws Exception;
    }

    /** A check that nothing is left; {@code after} says of what, for the message. */
    @FunctionalInterface
    public interface Check {
        void verify(String after) throws Exception;
    }

    private StartFailures() {
    }

    /**
     * Starts and closes the service once to learn its steps, then for each step starts it
     * again failing right after that step is registered ({@code beforeFailing} runs first,
     * e.g. to wait until a peer saw a connection), expects the injected failure from the
     * start, and runs {@code nothingLeft}. Returns the steps, in the order registered.
     */
    public static List<String> failEachStep(String service, Starter starter, Consumer<String> beforeFailing,
            Check nothingLeft) throws Exception {
        List<String> steps = new ArrayList<>();
        starter.start(new Lifecycle(service, steps::add)).close();
        nothingLeft.verify("a start and a close");
        assertFalse(steps.isEmpty(), "no step registered");
        for (int i = 0; i < steps.size(); i++) {
            int failAt = i;
            String step = steps.get(i);
            AtomicInteger registered = new AtomicInteger();
            Lifecycle lifecycle = new Lifecycle(service, name -> {
                if (registered.getAndIncrement() == failAt) {
                    assertEquals(step, name, "steps registered in a different order than in a full start");
                    beforeFailing.accept(name);
                    throw new Injected(name);
                }
            });
            assertThrows(Injected.class, () -> starter.start(lifecycle), "a start failing after \"" + step + "\"");
            nothingLeft.verify("a start that failed after \"" + step + "\"");
        }
        return steps;
    }

    /** The live threads now: those a check should ignore (started by others before the test). */
    public static Set<Thread> threadsNow() {
        return Thread.getAllStackTraces().keySet();
    }

    /** Waits until no thread whose name contains one of {@code fragments} is alive, except those in {@code before}. */
    public static void awaitThreadsGone(String after, Set<Thread> before, String... fragments)
            throws InterruptedException {
        try {
            Await.until("threads " + Arrays.toString(fragments) + " ended", WAIT,
                    () -> leftThreads(before, fragments).isEmpty());
        } catch (AssertionError e) {
            throw new AssertionError("after " + after + ", threads left: " + leftThreads(before, fragments), e);
        }
    }

    private static List<String> leftThreads(Set<Thread> before, String... fragments) {
        List<String> left = new ArrayList<>();
        for (Thread t : threadsNow()) {
            if (t.isAlive() && !before.contains(t)) {
                for (String f : fragments) {
                    if (t.getName().contains(f)) {
                        left.add(t.getName());
                        break;
                    }
                }
            }
        }
        return left;
    }

    /** {@code n} loopback ports free right now, for a service whose ports the test must know. */
    public static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    /** Waits until each port can be listened on again (on every interface, as the client listeners bind). */
    public static void awaitBindable(String after, int... ports) throws InterruptedException {
        for (int port : ports) {
            try {
                Await.until("port " + port + " can be bound", WAIT, () -> bindable(port));
            } catch (AssertionError e) {
                throw new AssertionError("after " + after + ", port " + port + " is still bound", e);
            }
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
