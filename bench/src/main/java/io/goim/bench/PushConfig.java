package io.goim.bench;

import com.typesafe.config.Config;
import io.goim.libs.config.HostPort;
import io.goim.libs.config.Settings;
import io.goim.protocol.Packets;
import java.nio.file.Path;
import java.time.Duration;

/** The {@code bench.push} section, validated. Immutable. */
public record PushConfig(
        HostPort comet,
        long cometPid,
        int room,
        int batch,
        int bodyBytes,
        int rate,
        int inFlight,
        Duration warmup,
        Duration duration,
        Path statsDir,
        Duration settle) {

    public static PushConfig from(Config root) {
        Settings s = Settings.of(root, "bench.push");
        int batch = s.intAtLeast("batch", 1);
        int body = s.intAtLeast("body-bytes", 0);
        if (body > Packets.DEFAULT_MAX_BODY) {
            throw s.invalid("body-bytes", String.valueOf(body), "at most " + Packets.DEFAULT_MAX_BODY);
        }
        String stats = s.string("stats-dir");
        return new PushConfig(HostPort.parse("bench.push.comet", s.string("comet")), s.intAtLeast("comet-pid", 0),
                s.integer("room"), batch, body, s.intAtLeast("rate", 0), s.intAtLeast("in-flight", 1),
                s.positiveDuration("warmup"), s.positiveDuration("duration"),
                stats.isEmpty() ? null : Path.of(stats), s.positiveDuration("settle"));
    }
}
