package io.goim.comet.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.goim.protocol.Packet;
import io.goim.protocol.ProtocolException;
import io.goim.libs.testing.FuzzLeaks;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes goim's binary packet framing: the comet's {@link TcpPacketCodec} reads a byte
 * stream cut into reads of a fuzzed size, and must agree packet for packet and on the
 * first error with the same codec reading the whole stream in one read (where a packet
 * ends never depends on where a read ends). Every packet decoded by the codec
 * is written back through it and must come out as the bytes it was read from. No buffer
 * may stay referenced once the channels are finished.
 *
 * <p>Input layout: byte 0 sets the read size (1 + its value, so 1..256 bytes), the rest
 * is the stream. Seeds: {@code src/test/resources/io/goim/comet/transport/TcpPacketFuzzTestInputs/}.
 * {@code mvn verify} replays them; {@code JAZZER_FUZZ=1} fuzzes (see docs/security.md).
 */
class TcpPacketFuzzTest {
    private static final int MAX_BODY = 1024;
    private final FuzzLeaks leaks = new FuzzLeaks();

    @FuzzTest(maxDuration = "10m")
    void decode(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int readSize = 1 + (input[0] & 0xff);
        Decoded codec = new Decoded();
        Decoded reference = new Decoded();
        EmbeddedChannel a = new EmbeddedChannel(new TcpPacketCodec(MAX_BODY), codec);
        EmbeddedChannel b = new EmbeddedChannel(new TcpPacketCodec(MAX_BODY), reference);
        a.config().setAllocator(leaks.allocator());
        b.config().setAllocator(leaks.allocator());
        try {
            for (int at = 1; at < input.length; at += readSize) {
                int n = Math.min(readSize, input.length - at);
                a.writeInbound(leaks.track(java.util.Arrays.copyOfRange(input, at, at + n)));
            }
            b.writeInbound(leaks.track(java.util.Arrays.copyOfRange(input, 1, input.length)));
            assertEquals(reference.packets, codec.packets, "packets");
            assertEquals(reference.error, codec.error, "first error");
            // Encoding what was decoded gives back the bytes read, packet for packet.
            StringBuilder reencoded = new StringBuilder();
            for (Packet p : codec.decoded) {
                a.writeOutbound(p.retain());
                ByteBuf out = a.readOutbound();
                reencoded.append(ByteBufUtil.hexDump(out));
                out.release();
            }
            assertEquals(String.join("", codec.raw), reencoded.toString(), "re-encoded packets");
        } finally {
            codec.release();
            reference.release();
            a.finishAndReleaseAll();
            b.finishAndReleaseAll();
        }
        leaks.assertNoLeaks();
    }

    /** Records what reaches the end of a pipeline: packets (as text) and the first error. */
    @ChannelHandler.Sharable
    private static final class Decoded extends ChannelDuplexHandler {
        final List<String> packets = new ArrayList<>();
        final List<String> raw = new ArrayList<>();
        final List<Packet> decoded = new ArrayList<>();
        String error;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Packet p = (Packet) msg;
            decoded.add(p);
            packets.add(p.ver() + "/" + p.op() + "/" + p.seq() + "/" + ByteBufUtil.hexDump(p.body()));
            raw.add(String.format("%08x%04x%04x%08x%08x", 16 + p.body().readableBytes(), 16, p.ver() & 0xffff,
                    p.op(), p.seq()) + ByteBufUtil.hexDump(p.body()));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (error == null) {
                error = cause instanceof ProtocolException e ? e.kind().name() : cause.toString();
            }
        }

        void release() {
            decoded.forEach(Packet::release);
            decoded.clear();
        }
    }
}
