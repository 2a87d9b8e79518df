package io.goim.libs.config;

import java.net.InetSocketAddress;

/**
 * Where a server listens: a bind address and a port (0 picks a free port, which tests
 * use). Read from config as {@code host} and {@code port} keys of a section.
 */
public record Listen(String host, int port) {

    /** Reads {@code <section>.host} and {@code <section>.port}. */
    public static Listen read(Settings settings, String section) {
        Settings s = settings.section(section);
        return new Listen(s.string("host"), s.port("port"));
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(host, port);
    }
}
