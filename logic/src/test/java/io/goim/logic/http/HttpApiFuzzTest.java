package io.goim.logic.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.goim.libs.http.HttpConnectionGuard;
import io.goim.libs.http.HttpDeadlines;
import io.goim.libs.lifecycle.InFlight;
import io.goim.libs.testing.FuzzLeaks;
import io.goim.logic.LogicMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Fuzzes logic's HTTP push API as its server pipeline runs it (HTTP codec, keep-alive,
 * {@link ApiAggregator}, {@link HttpApiHandler}) over an {@link EmbeddedChannel}, with
 * the push side replaced by an in-memory recorder that accepts everything (the handler
 * takes its {@link HttpApiHandler.PushApi} as a parameter). The fuzzed bytes arrive in
 * reads of a fuzzed size; whatever goes out must parse as HTTP responses, each with a
 * goim JSON body ({@code ret} 1 exactly when the status is 200) and never an internal
 * error (500 means an input reached a path nobody planned for), and no exception may
 * reach the handler (it would close the connection without an answer). No buffer may stay
 * referenced afterwards.
 *
 * <p>Input layout: byte 0 sets the read size (1 + its value), the rest is the client's
 * byte stream. Seeds: {@code src/test/resources/io/goim/logic/http/HttpApiFuzzTestInputs/}.
 */
class HttpApiFuzzTest {
    private static final int MAX_BODY = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final FuzzLeaks leaks = new FuzzLeaks();
    private final HttpApiHandler handler = new HttpApiHandler(new AcceptAll(), new LogicMeters(new SimpleMeterRegistry()).http);

    @FuzzTest(maxDuration = "10m")
    void request(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        int readSize = 1 + (input[0] & 0xff);
        List<Throwable> errors = new ArrayList<>();
        // The pipeline HttpApiServer builds (deadlines, codec, aggregator, in-order stage, handler).
        HttpDeadlines deadlines = new HttpConnectionGuard(HttpApiServer.DEFAULT_LIMITS, new SimpleMeterRegistry(),
                "goim_logic_http", "fuzz").deadlines();
        EmbeddedChannel server = new EmbeddedChannel(deadlines, new HttpServerCodec(), new ApiAggregator(MAX_BODY),
                new InOrderRequests(16, deadlines, new InFlight()), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        // Once the server has closed the connection on purpose (after answering
                        // HTTP/1.0 or a request it could not read on), what is still in the read
                        // buffer may fail against the closed channel (the aggregator's
                        // PrematureChannelClosureException, a 417 or 413 written too late): no
                        // client can see that. An exception while the channel is open is a bug.
                        if (ctx.channel().isOpen()) {
                            errors.add(cause);
                        }
                        ctx.fireExceptionCaught(cause);
                    }
                }, handler);
        server.config().setAllocator(leaks.allocator());
        EmbeddedChannel client = new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(1 << 20));
        client.config().setAllocator(leaks.allocator());
        try {
            for (int at = 1; at < input.length && server.isOpen(); at += readSize) {
                int n = Math.min(readSize, input.length - at);
                server.writeInbound(leaks.track(Arrays.copyOfRange(input, at, at + n)));
                server.runPendingTasks();
            }
            server.checkException();
            // No I/O happens here, so an exception on an open channel is a bug, not the network.
            assertTrue(errors.isEmpty(), () -> "an exception reached the handler: " + errors);
            for (ByteBuf out; (out = server.readOutbound()) != null; ) {
                client.writeInbound(out);
            }
            for (FullHttpResponse res; (res = client.readInbound()) != null; ) {
                try {
                    checkResponse(res);
                } finally {
                    res.release();
                }
            }
        } finally {
            server.finishAndReleaseAll();
            client.finishAndReleaseAll();
        }
        leaks.assertNoLeaks();
    }

    private static void checkResponse(FullHttpResponse res) throws IOException {
        assertTrue(res.decoderResult().isSuccess(), () -> "malformed response: " + res.decoderResult());
        if (res.status().code() == 100) {
            return;
        }
        JsonNode body = JSON.readTree(ByteBufUtil.getBytes(res.content()));
        assertTrue(body != null && body.isObject() && body.get("ret").isInt(), () -> "not a goim answer: " + body);
        int ret = body.get("ret").intValue();
        assertEquals(res.status().code() == 200, ret == Ret.OK.code(), () -> res.status() + " with " + body);
        assertNotEquals(Ret.INTERNAL_ERR.code(), ret, () -> "internal error: " + body);
    }

    /** Accepts every push at once; counts nothing the checks need. */
    private static final class AcceptAll implements HttpApiHandler.PushApi {
        @Override
        public CompletableFuture<Void> pushUsers(List<Long> userIds, byte[] msg) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> pushRoom(String room, byte[] msg, boolean ensure) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> pushAll(byte[] msg) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> delServer(int server, boolean force) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public Map<String, Integer> roomCounts() {
            return Map.of("1", 2);
        }

        @Override
        public Map<Integer, Integer> serverCounts() {
            return Map.of(1, 2);
        }

        @Override
        public CompletableFuture<Void> pushKeys(List<String> keys, int op, byte[] msg) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> pushUsers(List<Long> userIds, int op, byte[] msg) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> pushRoom(String room, int op, byte[] msg) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> pushAll(int op, int speed, byte[] msg) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<HttpApiHandler.OnlineTotal> onlineTotal() {
            return CompletableFuture.completedFuture(new HttpApiHandler.OnlineTotal(1, 2));
        }
    }
}
