package io.goim.comet;

import io.goim.libs.protocol.ProtocolException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Comet's event counters, cheap to bump from any thread. The metrics endpoint reads
 * them; tests assert on them.
 */
public final class CometCounters {
    public final LongAdder authOk = new LongAdder();
    public final LongAdder authFailed = new LongAdder();
    public final LongAdder handshakeTimeouts = new LongAdder();
    public final LongAdder heartbeatTimeouts = new LongAdder();
    /** Connections closed because their login (auth packet to op 8) took longer than login-timeout. */
    public final LongAdder loginTimeouts = new LongAdder();
    /** Pushes not written because their connection's backlog passed max-backlog (it is closed as a slow consumer). */
    public final LongAdder pushesDropped = new LongAdder();
    /** Pushes handed to a connection for writing. */
    public final LongAdder pushesQueued = new LongAdder();
    /** goim packets written to connections (a batch counts each packet in it), replies included. */
    public final LongAdder packetsWritten = new LongAdder();
    /** Bytes handed to client sockets, framing and TLS included. */
    public final LongAdder bytesWritten = new LongAdder();
    /** Disconnects logic acknowledged. */
    public final LongAdder disconnectsReported = new LongAdder();
    /** Disconnect calls to logic retried after a transient failure. */
    public final LongAdder disconnectRetries = new LongAdder();
    /** Disconnects logic never acknowledged (retries exhausted or a permanent error). */
    public final LongAdder disconnectsLost = new LongAdder();
    /** Renew calls to logic that succeeded. */
    public final LongAdder renewCalls = new LongAdder();
    /** Renew calls to logic that failed (the round is retried after renew-retry). */
    public final LongAdder renewFailures = new LongAdder();
    /** Connections the routers knew when renewed. */
    public final LongAdder renewRefreshed = new LongAdder();
    /** Connections a router had forgotten (restart, expiry) and relearned from a Renew. */
    public final LongAdder renewRelearned = new LongAdder();
    /** Connections closed because a router holds their subKey on another comet. */
    public final LongAdder renewConflictsClosed = new LongAdder();
    /** Connections sent op 6 and closed by a graceful drain. */
    public final LongAdder drained = new LongAdder();
    /** Whitelist and log configuration reloads (SIGHUP). */
    public final LongAdder reloads = new LongAdder();
    private final Map<ProtocolException.Kind, LongAdder> protocolErrors = new EnumMap<>(ProtocolException.Kind.class);
    private final LongAdder[] opsReceived = new LongAdder[256];

    CometCounters() {
        for (ProtocolException.Kind k : ProtocolException.Kind.values()) {
            protocolErrors.put(k, new LongAdder());
        }
        for (int i = 0; i < opsReceived.length; i++) {
            opsReceived[i] = new LongAdder();
        }
    }

    void protocolError(ProtocolException.Kind kind) {
        protocolErrors.get(kind).increment();
    }

    public long protocolErrors(ProtocolException.Kind kind) {
        return protocolErrors.get(kind).sum();
    }

    void opReceived(int op) {
        if (op >= 0 && op < opsReceived.length) {
            opsReceived[op].increment();
        }
    }

    public long opsReceived(int op) {
        return op >= 0 && op < opsReceived.length ? opsReceived[op].sum() : 0;
    }
}
