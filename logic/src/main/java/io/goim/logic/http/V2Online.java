package io.goim.logic.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goim.protocol.RoomKeys;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * goim v2's room online answers ({@code /goim/online/room}, {@code /goim/online/top}) from a
 * snapshot of the cluster's room counts (room key to connections, as logic's counts refresh
 * reads them from the session store, the counterpart of goim v2's RenewOnline). v2 names a
 * room by its type and id; its room key is {@code type://id} (goim v2's EncodeRoomKey).
 *
 * <p>Stateless.
 */
final class V2Online {
    private V2Online() {
    }

    /** goim v2's room key of room {@code room} of type {@code type}; refused when it cannot name a room. */
    static String roomKey(String type, String room) {
        String key = type + "://" + room;
        String problem = RoomKeys.invalid(key);
        if (problem != null) {
            throw ApiException.badRequest("type=" + type + ", room=" + room + ": " + problem);
        }
        return key;
    }

    /** {@code {"<room id>": count, ...}} for each of {@code rooms} of {@code type}; 0 for a room nobody is in. */
    static ObjectNode rooms(Map<String, Integer> counts, String type, List<String> rooms) {
        ObjectNode data = HttpApiHandler.JSON.createObjectNode();
        for (String room : rooms) {
            data.put(room, counts.getOrDefault(roomKey(type, room), 0));
        }
        return data;
    }

    /**
     * The {@code limit} rooms of {@code type} with the most connections, most first (ties by
     * room id, so answers are stable): {@code [{"room_id":"1000","count":3}, ...]}, goim v2's
     * model.Top; {@code []} when none. Only keys of exactly {@code type://} count: goim v2
     * matches the type as a bare prefix, which would mix type "live" with "livex".
     */
    static ArrayNode top(Map<String, Integer> counts, String type, int limit) {
        String prefix = type + "://";
        List<Map.Entry<String, Integer>> tops = new ArrayList<>();
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (e.getKey().startsWith(prefix) && e.getValue() > 0) {
                tops.add(Map.entry(e.getKey().substring(prefix.length()), e.getValue()));
            }
        }
        tops.sort(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue).reversed()
                .thenComparing(Map.Entry::getKey));
        ArrayNode data = HttpApiHandler.JSON.createArrayNode();
        for (Map.Entry<String, Integer> e : tops.subList(0, Math.min(limit, tops.size()))) {
            data.addObject().put("room_id", e.getKey()).put("count", e.getValue());
        }
        return data;
    }
}
