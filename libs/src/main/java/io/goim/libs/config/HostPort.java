package io.goim.libs.config;

import java.net.InetSocketAddress;

/** A {@code host:port} pair from configuration. */
public record HostPort(String host, int port) {

    /** Parses {@code host:port}; {@code what} names the setting in the error message. */
    public static HostPort parse(String what, String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new InvalidConfigException(what + ": " + value + " (expected: host:port)");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(what + ": " + value + " (expected: host:port)");
        }
        if (port < 1 || port > 65535) {
            throw new InvalidConfigException(what + ": " + value + " (expected: port 1..65535)");
        }
        return new HostPort(host, port);
    }

    /** The gRPC target string, e.g. {@code 127.0.0.1:7270}. */
    public String target() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return target();
    }
}
