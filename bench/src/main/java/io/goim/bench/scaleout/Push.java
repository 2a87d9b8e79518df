package io.goim.bench.scaleout;

import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One push of the suite: its kind, its number in its kind's stream, and whom it is for
 * (users, or a room). The body carries kind and number ({@code {"k":"r","n":17}}), so a
 * client tells which push it got; whom it should reach follows from the target alone.
 */
record Push(Kind kind, int seq, long[] uids, long room) {
    /** The four ways to push of logic's HTTP API. */
    enum Kind {
        /** {@code POST /1/push?uid=} */
        USER("u"),
        /** {@code POST /1/pushs} with several user ids. */
        USERS("s"),
        /** {@code POST /1/push/room?rid=} */
        ROOM("r"),
        /** {@code POST /1/push/all} */
        BROADCAST("b");

        final String tag;

        Kind(String tag) {
            this.tag = tag;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Kind of(String tag) {
            for (Kind k : values()) {
                if (k.tag.equals(tag)) {
                    return k;
                }
            }
            throw new IllegalArgumentException(tag);
        }
    }

    private static final Pattern BODY = Pattern.compile("\\{\\s*\"k\"\\s*:\\s*\"([usrb])\"\\s*,\\s*\"n\"\\s*:\\s*(\\d+)\\s*}");

    /** The message itself. */
    String body() {
        return "{\"k\":\"" + kind.tag + "\",\"n\":" + seq + "}";
    }

    /** Path and query of the request, against any logic. */
    String path() {
        return switch (kind) {
            case USER -> "/1/push?uid=" + uids[0];
            case USERS -> "/1/pushs";
            case ROOM -> "/1/push/room?rid=" + room;
            case BROADCAST -> "/1/push/all";
        };
    }

    /** The request body: the message, or for {@code /1/pushs} the users and the message. */
    String request() {
        if (kind != Kind.USERS) {
            return body();
        }
        StringBuilder b = new StringBuilder("{\"u\":[");
        for (int i = 0; i < uids.length; i++) {
            b.append(i == 0 ? "" : ",").append(uids[i]);
        }
        return b.append("],\"m\":").append(body()).append('}').toString();
    }

    /** Whether a connection of user {@code uid} in {@code room} (negative: none) must get it. */
    boolean isFor(long uid, long room) {
        return switch (kind) {
            case USER, USERS -> Arrays.stream(uids).anyMatch(u -> u == uid);
            case ROOM -> room >= 0 && room == this.room;
            case BROADCAST -> true;
        };
    }

    /** Kind and number of the push in a received body (TCP: the body; WebSocket: its JSON), or null. */
    static int[] parse(String text) {
        Matcher m = BODY.matcher(text);
        if (!m.find()) {
            return null;
        }
        return new int[] {Kind.of(m.group(1)).ordinal(), Integer.parseInt(m.group(2))};
    }
}
