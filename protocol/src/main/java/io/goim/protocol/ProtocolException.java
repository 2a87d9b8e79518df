package io.goim.protocol;

import io.netty.handler.codec.CorruptedFrameException;

/**
 * A client broke the wire protocol. The connection that raised it is closed; the
 * {@link Kind} names the rule for logs and counters.
 */
public final class ProtocolException extends CorruptedFrameException {
    private static final long serialVersionUID = 1L;

    /** Which rule was broken. */
    public enum Kind {
        /** Packet length negative, below 16, or above 16 + the maximum body. */
        PACKET_LENGTH,
        /** Header length other than 16. */
        HEADER_LENGTH,
        /** An operation the server does not accept at this point. */
        UNKNOWN_OP,
        /** A packet other than auth before the connection authenticated. */
        NOT_AUTHENTICATED,
        /** A WebSocket frame that is not a goim JSON object or a binary packet. */
        BAD_FRAME,
        /** A client that kept its outbound backlog above the hard limit. */
        SLOW_CONSUMER,
        /** More packets sent behind the auth packet than comet holds until the auth reply. */
        TOO_MANY_BEFORE_AUTH;

        /** Lower-case name for logs and metric labels. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Kind kind;

    public ProtocolException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** No stack trace: these are expected client errors, counted, not debugged. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
