package io.goim.logic.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goim.libs.config.HostPort;
import io.goim.proto.CometInstance;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * goim v2's nodes API on logic's HTTP listener: which comets a client should connect to.
 *
 * <ul>
 *   <li>{@code GET /goim/nodes/weighted?platform=web|...}: goim v2's NodesReply, weighted by
 *       the comets' load ({@link Source#weighted}): {@code domain, tcp_port, ws_port,
 *       wss_port, heartbeat} (seconds){@code , heartbeat_max, backoff{max_delay, base_delay,
 *       factor, jitter}, nodes} (hosts, best first), and {@code comets}: each listed comet's
 *       own addresses, for clients that cannot assume every comet uses the same ports.
 *       Open to clients: no API key needed (it holds only what clients connect to).
 *   <li>{@code GET /goim/nodes/instances}: every comet announced, goim v2's instance shape
 *       (hostname, addrs, metadata) plus addresses, load and age. For operators: it names
 *       internal addresses, so it needs an API key when keys are set.
 * </ul>
 * Answers are goim v2's envelope, {@code {"code":0,"message":"","data":...}}, from logic's
 * cached view of the directory: never a store call per request.
 *
 * <p>Stateless apart from {@link Source}; thread-safe.
 */
public final class NodesEndpoint {
    public static final String WEIGHTED = "/goim/nodes/weighted";
    public static final String INSTANCES = "/goim/nodes/instances";

    /** The comets, from logic's cached view of the directory. */
    public interface Source {
        /** Comets for a new client, best first, at most {@code max}; each call counts as one client sent to the first. */
        List<CometInstance> weighted(int max);

        /** Every comet announced. */
        List<CometInstance> instances();
    }

    private final Source source;
    private final NodesConfig config;

    public NodesEndpoint(Source source, NodesConfig config) {
        this.source = source;
        this.config = config;
    }

    /** Whether {@code path} is answered here. */
    public static boolean handles(String path) {
        return path.equals(WEIGHTED) || path.equals(INSTANCES);
    }

    /** Whether {@code path} is answered without an API key. */
    public static boolean open(String path) {
        return path.equals(WEIGHTED);
    }

    ObjectNode answer(HttpMethod method, String path, Map<String, List<String>> query) {
        if (!method.equals(HttpMethod.GET)) {
            throw new ApiException(Ret.METHOD_NOT_ALLOWED,
                    "method " + method + " not allowed on " + path + " (GET)");
        }
        ObjectNode out = HttpApiHandler.JSON.createObjectNode().put("code", 0).put("message", "");
        if (path.equals(WEIGHTED)) {
            List<String> platform = query.get("platform");
            out.set("data", weighted(platform != null && !platform.isEmpty() && platform.get(0).equals("web")));
        } else {
            ArrayNode data = out.putArray("data");
            for (CometInstance c : source.instances()) {
                instance(data.addObject(), c);
            }
        }
        return out;
    }

    private ObjectNode weighted(boolean web) {
        List<CometInstance> comets = source.weighted(config.maxNodes());
        ObjectNode data = HttpApiHandler.JSON.createObjectNode();
        CometInstance first = comets.isEmpty() ? null : comets.get(0);
        data.put("domain", config.domain())
                .put("tcp_port", config.tcpPort() > 0 ? config.tcpPort() : port(first == null ? List.of() : first.getTcpList()))
                .put("ws_port", config.wsPort() > 0 ? config.wsPort() : port(first == null ? List.of() : first.getWebsocketList()))
                .put("wss_port", config.wssPort() > 0 ? config.wssPort() : port(first == null ? List.of() : first.getWssList()))
                .put("heartbeat", config.heartbeat().toSeconds())
                .put("heartbeat_max", config.heartbeatMax());
        data.putObject("backoff")
                .put("max_delay", config.backoffMaxDelay())
                .put("base_delay", config.backoffBaseDelay())
                .put("factor", config.backoffFactor())
                .put("jitter", config.backoffJitter());
        Set<String> nodes = new LinkedHashSet<>();
        for (CometInstance c : comets) {
            if (web && !config.hostDomain().isEmpty() && !c.getHostname().isEmpty()) {
                nodes.add(c.getHostname() + config.hostDomain());
            } else {
                for (String a : web ? c.getWebsocketList() : c.getTcpList()) {
                    nodes.add(host(a));
                }
            }
        }
        if (nodes.isEmpty() && !config.domain().isEmpty()) {
            nodes.add(config.domain());
        }
        ArrayNode list = data.putArray("nodes");
        nodes.forEach(list::add);
        ArrayNode detail = data.putArray("comets");
        for (CometInstance c : comets) {
            ObjectNode o = detail.addObject().put("server", c.getServer());
            addresses(o, c);
            o.put("connections", c.getConnections()).put("weight", c.getWeight()).put("cpu", c.getCpu());
        }
        return data;
    }

    private static void instance(ObjectNode o, CometInstance c) {
        o.put("server", c.getServer()).put("hostname", c.getHostname());
        o.putArray("addrs").add("grpc://" + c.getGrpc());
        List<String> hosts = new ArrayList<>();
        c.getTcpList().forEach(a -> hosts.add(host(a)));
        o.putObject("metadata")
                .put("weight", Integer.toString(c.getWeight()))
                .put("offline", Boolean.toString(c.getDraining()))
                .put("addrs", String.join(",", hosts))
                .put("conn_count", Integer.toString(c.getConnections()));
        addresses(o, c);
        o.put("grpc", c.getGrpc())
                .put("connections", c.getConnections())
                .put("weight", c.getWeight())
                .put("cpu", c.getCpu())
                .put("draining", c.getDraining())
                .put("age_ms", c.getAgeMs());
    }

    private static void addresses(ObjectNode o, CometInstance c) {
        c.getTcpList().forEach(o.putArray("tcp")::add);
        c.getWebsocketList().forEach(o.putArray("websocket")::add);
        c.getTlsTcpList().forEach(o.putArray("tls_tcp")::add);
        c.getWssList().forEach(o.putArray("wss")::add);
    }

    private static int port(List<String> addresses) {
        return addresses.isEmpty() ? 0 : HostPort.parse("announced address", addresses.get(0)).port();
    }

    private static String host(String address) {
        return HostPort.parse("announced address", address).host();
    }
}
