package io.goim.bench.baseline;

import io.goim.bench.Latencies;
import io.goim.bench.SendStamp;
import io.goim.protocol.Op;
import io.goim.protocol.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelMatchers;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Generates room messages at a fixed rate, each with a {@link SendStamp} body taken when it
 * is generated, and fans them out the plainest way Netty offers: encode once per write
 * (TCP: goim packets laid end to end; WebSocket: one JSON array text frame, as the comet
 * writes them) and {@link ChannelGroup#writeAndFlush} it, which writes a
 * {@code retainedDuplicate()} to every member channel. With {@code batch} 1 every message
 * is one write per channel; with {@code batch} n, n messages are collected and leave as one
 * write (so the first waits for the n-th). Runs on the calling thread; one push at a time.
 */
final class RoomGenerator {
    private final ByteBufAllocator alloc;
    private final ChannelGroup tcp;
    private final ChannelGroup websocket;
    private long seq;

    RoomGenerator(ByteBufAllocator alloc, ChannelGroup tcp, ChannelGroup websocket) {
        this.alloc = alloc;
        this.tcp = tcp;
        this.websocket = websocket;
    }

    /** Generates {@code rate} messages a second for {@code millis}; returns how many were generated (all written). */
    long push(int rate, int batch, long millis) {
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long end = start + TimeUnit.MILLISECONDS.toNanos(millis);
        String[] pending = new String[batch];
        int filled = 0;
        long generated = 0;
        while (true) {
            long due = start + generated * interval;
            if (due >= end) {
                break;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            pending[filled++] = SendStamp.body(Latencies.nowMicros(), seq++);
            generated++;
            if (filled == batch) {
                write(pending, filled);
                filled = 0;
            }
        }
        if (filled > 0) {
            write(pending, filled);
        }
        return generated;
    }

    private void write(String[] bodies, int n) {
        if (!tcp.isEmpty()) {
            ByteBuf packets = alloc.buffer(n * 64);
            for (int i = 0; i < n; i++) {
                Packets.write(packets, 1, Op.SEND_MSG_REPLY, 0, bodies[i].getBytes(StandardCharsets.US_ASCII));
            }
            tcp.writeAndFlush(packets, ChannelMatchers.all(), true);
        }
        if (!websocket.isEmpty()) {
            StringBuilder json = new StringBuilder(n * 80).append('[');
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    json.append(',');
                }
                json.append("{\"ver\":1,\"op\":5,\"seq\":0,\"body\":").append(bodies[i]).append('}');
            }
            ByteBuf text = alloc.buffer(json.length());
            text.writeCharSequence(json.append(']'), StandardCharsets.US_ASCII);
            websocket.writeAndFlush(new TextWebSocketFrame(text), ChannelMatchers.all(), true);
        }
    }
}
