package io.goim.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodesLookupTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void ourLogicsCometsGiveEachCometsOwnAddressesInOrder() throws Exception {
        var answer = JSON.readTree("""
                {"code":0,"message":"","data":{"tcp_port":8080,"ws_port":8090,"nodes":["10.0.0.2","10.0.0.1"],
                 "comets":[{"server":2,"tcp":["10.0.0.2:9080"],"websocket":["10.0.0.2:9090"],"tls_tcp":[],"wss":[]},
                           {"server":1,"tcp":["10.0.0.1:8080"],"websocket":["10.0.0.1:8090"],"tls_tcp":[],"wss":[]}]}}""");
        assertEquals(List.of("10.0.0.2:9080", "10.0.0.1:8080"), NodesLookup.addresses(answer, NodesLookup.Kind.TCP));
        assertEquals(List.of("10.0.0.2:9090", "10.0.0.1:8090"), NodesLookup.addresses(answer, NodesLookup.Kind.WS));
        assertEquals(List.of(), NodesLookup.addresses(answer, NodesLookup.Kind.WSS));
    }

    @Test
    void goimV2sAnswerGivesItsHostsWithTheTransportsPort() throws Exception {
        var answer = JSON.readTree("""
                {"code":0,"message":"","data":{"domain":"","tcp_port":3101,"ws_port":3102,"wss_port":0,
                 "heartbeat":240,"nodes":["a.example","b.example"]}}""");
        assertEquals(List.of("a.example:3101", "b.example:3101"), NodesLookup.addresses(answer, NodesLookup.Kind.TCP));
        assertEquals(List.of("a.example:3102", "b.example:3102"), NodesLookup.addresses(answer, NodesLookup.Kind.WS));
        assertEquals(List.of(), NodesLookup.addresses(answer, NodesLookup.Kind.WSS), "wss_port 0: none");
    }

    @Test
    void aRefusalIsAFailure() throws Exception {
        var answer = JSON.readTree("{\"code\":-500,\"message\":\"no\"}");
        assertThrows(IllegalStateException.class, () -> NodesLookup.addresses(answer, NodesLookup.Kind.TCP));
    }
}
