package io.goim.comet;

import io.goim.comet.cluster.LogicClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.goim.protocol.Packets;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Test support: comet configurations and contexts built the way the server builds them. */
public final class TestComets {
    private TestComets() {
    }

    /** The reference config with {@code overrides}; logic points at a closed port unless overridden. */
    public static CometConfig config(Map<String, Object> overrides) {
        Map<String, Object> m = new HashMap<>();
        m.put("comet.logic", "127.0.0.1:1");
        m.putAll(overrides);
        return CometConfig.from(ConfigLoader.withDefaults(ConfigFactory.parseMap(m)));
    }

    public static CometParts context(CometConfig config) {
        return context(config, new SimpleMeterRegistry());
    }

    /** The parts of a comet calling the logic {@code config} names, counting in {@code registry}; {@link #close} them. */
    public static CometParts context(CometConfig config, SimpleMeterRegistry registry) {
        return new CometParts(config, new LogicClient(config.logic(), config.logicTimeout(), config.serverId()),
                new CometMeters(registry));
    }

    public static void close(CometParts comet) throws Exception {
        comet.close();
        comet.logic().close();
    }

    /** One goim TCP packet. */
    public static ByteBuf packet(int op, int seq, String body) {
        ByteBuf b = Unpooled.buffer();
        Packets.write(b, 1, op, seq, body.getBytes(StandardCharsets.UTF_8));
        return b;
    }
}
