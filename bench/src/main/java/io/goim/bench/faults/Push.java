package io.goim.bench.faults;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One push of the suite: its kind and sequence number, as carried in its body {@code {"k":"r","n":17}}. */
record Push(Kind kind, int seq) {
    /** The three kinds of push, each its own stream of sequence numbers. */
    enum Kind {
        ROOM("r"), USER("u"), BROADCAST("b");

        final String tag;

        Kind(String tag) {
            this.tag = tag;
        }

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final Pattern BODY = Pattern.compile("\\{\"k\":\"([rub])\",\"n\":(\\d+)}");

    String body() {
        return "{\"k\":\"" + kind.tag + "\",\"n\":" + seq + "}";
    }

    /** The push in {@code text} (TCP: the body; WebSocket: its JSON, maybe wrapped), or null. */
    static Push parse(String text) {
        Matcher m = BODY.matcher(text);
        if (!m.find()) {
            return null;
        }
        Kind k = switch (m.group(1)) {
            case "r" -> Kind.ROOM;
            case "u" -> Kind.USER;
            default -> Kind.BROADCAST;
        };
        return new Push(k, Integer.parseInt(m.group(2)));
    }
}
