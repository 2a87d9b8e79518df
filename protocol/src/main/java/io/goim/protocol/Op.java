package io.goim.protocol;

/**
 * goim operation codes, in one place. The numbers are a wire contract with existing
 * goim clients and must never change.
 */
public final class Op {
    /** Legacy handshake (client to server). */
    public static final int HANDSHAKE = 0;
    /** Legacy handshake reply. */
    public static final int HANDSHAKE_REPLY = 1;
    /** Heartbeat from the client; resets its heartbeat timer. */
    public static final int HEARTBEAT = 2;
    /** Answer to {@link #HEARTBEAT}, same seq. */
    public static final int HEARTBEAT_REPLY = 3;
    /** A message from the client. */
    public static final int SEND_MSG = 4;
    /** Reply to {@link #SEND_MSG}, and the op of every server push. */
    public static final int SEND_MSG_REPLY = 5;
    /** Server tells the client to go away (kick, drain). */
    public static final int DISCONNECT_REPLY = 6;
    /** Auth: the first packet of every connection; body = token. */
    public static final int AUTH = 7;
    /** Auth accepted. */
    public static final int AUTH_REPLY = 8;
    /** Legacy handshake with sid. */
    public static final int HANDSHAKE_SID = 9;
    /** Legacy handshake with sid reply. */
    public static final int HANDSHAKE_SID_REPLY = 10;
    /** Inside the cluster: the body is several complete packets laid end to end. */
    public static final int RAW = 11;
    /**
     * goim v2's OpRaw, sent to goim v2 WebSocket clients only: a batch of packets in one
     * binary frame, wrapped in one packet of this op whose body is the packets end to end
     * (goim v2 renumbered v1's ops from 9 on; a v2 client reads a frame as one packet).
     */
    public static final int V2_RAW = 9;
    /** goim v2's change room: body = the new room key (empty: leave the room). */
    public static final int CHANGE_ROOM = 12;
    /** Answer to {@link #CHANGE_ROOM}, same seq and body. */
    public static final int CHANGE_ROOM_REPLY = 13;
    /** goim v2: subscribe to operations; body = decimal ops separated by commas ("1000,1001"). */
    public static final int SUB = 14;
    /** goim v2: answer to {@link #SUB}, the same body. */
    public static final int SUB_REPLY = 15;
    /** goim v2: unsubscribe from operations; body as {@link #SUB}. */
    public static final int UNSUB = 16;
    /** goim v2: answer to {@link #UNSUB}, the same body. */
    public static final int UNSUB_REPLY = 17;
    /**
     * Beyond goim: join one more room (several rooms per connection); body = the room key.
     * 18 to 21 follow goim's last operation (17) and are not used by goim.
     */
    public static final int JOIN_ROOM = 18;
    /** Answer to {@link #JOIN_ROOM}, same seq; body {@code {"ret":1,...}} or a refusal. */
    public static final int JOIN_ROOM_REPLY = 19;
    /** Beyond goim: leave one room; body = the room key. */
    public static final int LEAVE_ROOM = 20;
    /** Answer to {@link #LEAVE_ROOM}, same seq. */
    public static final int LEAVE_ROOM_REPLY = 21;
    /**
     * The first operation a backend may choose for its pushes (goim v2's examples use 1000
     * and up); below it every code belongs to the protocol.
     */
    public static final int FIRST_BUSINESS = 1000;
    /** Test request from the client. */
    public static final int TEST = 254;
    /** Answer to {@link #TEST}; body {@code {"test":"come on"}}. */
    public static final int TEST_REPLY = 255;

    private Op() {
    }

    /**
     * True for the operations a push from the cluster (a Kafka record, a comet push call)
     * may carry to a client: op 5, and goim v2's business operations ({@link #FIRST_BUSINESS} and up).
     * Every other operation steers the connection itself (handshake, heartbeat, auth,
     * disconnect, their replies, comet's internal signals) and only comet's own protocol
     * code sends it: a push that could carry op 6 or op 8 would let whoever writes a record
     * disconnect clients or fake a login. {@link #RAW} is a batch, checked packet by packet.
     */
    public static boolean isPush(int op) {
        return op == SEND_MSG_REPLY || op >= FIRST_BUSINESS;
    }

    /** The names ({@link #name}) of the codes 0-255 that are not pushes: what a push must never carry. */
    public static java.util.Set<String> controlNames() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (int op = 0; op < 256; op++) {
            if (!isPush(op)) {
                names.add(name(op));
            }
        }
        return names;
    }

    /** A short name for logs and metrics; {@code "unknown"} for codes goim does not define. */
    public static String name(int op) {
        return switch (op) {
            case HANDSHAKE -> "handshake";
            case HANDSHAKE_REPLY -> "handshake_reply";
            case HEARTBEAT -> "heartbeat";
            case HEARTBEAT_REPLY -> "heartbeat_reply";
            case SEND_MSG -> "send_msg";
            case SEND_MSG_REPLY -> "send_msg_reply";
            case DISCONNECT_REPLY -> "disconnect_reply";
            case AUTH -> "auth";
            case AUTH_REPLY -> "auth_reply";
            case HANDSHAKE_SID -> "handshake_sid";
            case HANDSHAKE_SID_REPLY -> "handshake_sid_reply";
            case RAW -> "raw";
            case CHANGE_ROOM -> "change_room";
            case CHANGE_ROOM_REPLY -> "change_room_reply";
            case SUB -> "sub";
            case SUB_REPLY -> "sub_reply";
            case UNSUB -> "unsub";
            case UNSUB_REPLY -> "unsub_reply";
            case JOIN_ROOM -> "join_room";
            case JOIN_ROOM_REPLY -> "join_room_reply";
            case LEAVE_ROOM -> "leave_room";
            case LEAVE_ROOM_REPLY -> "leave_room_reply";
            case TEST -> "test";
            case TEST_REPLY -> "test_reply";
            default -> "unknown";
        };
    }
}
