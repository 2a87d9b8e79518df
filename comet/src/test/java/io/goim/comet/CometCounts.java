package io.goim.comet;

import io.goim.protocol.ProtocolException;
import io.goim.libs.testing.Counts;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/** Comet's counters as tests read them: through the registry, under their metric names. */
public final class CometCounts {
    private CometCounts() {
    }

    /** {@code goim_comet_protocol_errors_total{kind}}. */
    public static long protocolErrors(MeterRegistry registry, ProtocolException.Kind kind) {
        return Counts.of(registry, "goim_comet_protocol_errors", "kind", kind.name().toLowerCase(Locale.ROOT));
    }
}
