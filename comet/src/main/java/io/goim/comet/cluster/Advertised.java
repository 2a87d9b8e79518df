package io.goim.comet.cluster;

import io.goim.comet.CometConfig;
import io.goim.libs.config.HostPort;
import io.goim.proto.CometInstance;
import io.grpc.Server;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.List;

/**
 * The announcement a comet makes of itself (comet.discovery): its configured public
 * addresses, or the listeners' bound ones; a wildcard bind (0.0.0.0, ::) names this
 * machine's address instead, which clients and job can dial.
 */
public final class Advertised {
    private Advertised() {
    }

    /** The announcement without load; a fresh random incarnation each call (one per process). */
    public static CometInstance instance(CometConfig config, Channel tcp, Channel websocket, Channel tlsTcp,
            Channel wss, Server grpc) {
        CometConfig.Discovery d = config.discovery();
        String grpcAddress = d.grpc().isEmpty() ? address(grpc.getListenSockets().get(0)) : d.grpc();
        return CometInstance.newBuilder()
                .setServer(config.serverId())
                .setIncarnation(new SecureRandom().nextLong() | 1)
                .setHostname(hostname())
                .addAllTcp(addresses(d.tcp(), tcp))
                .addAllWebsocket(addresses(d.websocket(), websocket))
                .addAllTlsTcp(addresses(d.tlsTcp(), tlsTcp))
                .addAllWss(addresses(d.wss(), wss))
                .setGrpc(grpcAddress)
                .setWeight(d.weight())
                .setTtlMs(d.ttl().toMillis())
                .build();
    }

    /** {@code configured} as "host:port" strings, or the bound address of {@code bound}; none when not listening. */
    static List<String> addresses(List<HostPort> configured, Channel bound) {
        if (!configured.isEmpty()) {
            return configured.stream().map(HostPort::target).toList();
        }
        return bound == null ? List.of() : List.of(address(bound.localAddress()));
    }

    private static String address(SocketAddress bound) {
        InetSocketAddress a = (InetSocketAddress) bound;
        InetAddress ip = a.getAddress();
        String host = ip.isAnyLocalAddress() ? localAddress() : ip.getHostAddress();
        return new HostPort(host, a.getPort()).target();
    }

    private static String localAddress() {
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return InetAddress.getLoopbackAddress().getHostAddress();
        }
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "";
        }
    }
}
