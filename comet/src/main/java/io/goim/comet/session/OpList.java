package io.goim.comet.session;

/** Parses goim v2's operation lists ("1000,1001"), the body of ops 14 and 16. */
final class OpList {
    private OpList() {
    }

    /** The operations, or null when {@code body} is not a comma-separated list of 32-bit integers (or lists too many). */
    static int[] parse(String body) {
        String b = body.strip();
        if (b.length() >= 2 && b.charAt(0) == '"' && b.charAt(b.length() - 1) == '"') {
            b = b.substring(1, b.length() - 1); // a WebSocket text frame carries the body as a JSON string
        }
        String[] parts = b.split(",");
        if (parts.length > V2State.MAX_ACCEPTS) {
            return null;
        }
        int[] ops = new int[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                ops[i] = Integer.parseInt(parts[i].strip());
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return ops;
    }
}
