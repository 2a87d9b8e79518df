package io.goim.logic.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** goim v2's room online answers from a counts snapshot. */
class V2OnlineTest {
    private static final Map<String, Integer> COUNTS = Map.of("live://1000", 3, "live://1001", 7, "live://1002", 3,
            "livex://1", 50, "1000", 9, "chat://9", 1);

    @Test
    void roomsAreKeyedByRoomIdOfTheType() {
        assertEquals("{\"1000\":3,\"1001\":7,\"404\":0}",
                V2Online.rooms(COUNTS, "live", List.of("1000", "1001", "404")).toString());
        assertEquals("{\"1000\":0}", V2Online.rooms(COUNTS, "chat", List.of("1000")).toString(),
                "v1's room 1000 is not chat://1000");
    }

    @Test
    void topListsTheBusiestRoomsOfTheTypeOnly() {
        assertEquals("[{\"room_id\":\"1001\",\"count\":7},{\"room_id\":\"1000\",\"count\":3}]",
                V2Online.top(COUNTS, "live", 2).toString(), "most first, ties by room id; livex:// is another type");
        assertEquals(3, V2Online.top(COUNTS, "live", 100).size());
        assertEquals("[]", V2Online.top(COUNTS, "none", 5).toString(), "goim v2 answers an empty list, not null");
    }

    @Test
    void aRoomKeyThatCannotNameARoomIsRefused() {
        assertEquals("live://1000", V2Online.roomKey("live", "1000"));
        ApiException e = assertThrows(ApiException.class, () -> V2Online.roomKey("live", "a\nb"));
        assertEquals(400, e.ret.status().code());
    }
}
