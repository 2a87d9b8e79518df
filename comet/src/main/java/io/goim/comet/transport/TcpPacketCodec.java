package io.goim.comet.transport;

import io.goim.protocol.PacketCodec;

/**
 * The client TCP pipeline's packet codec: goim's binary packets both ways, read and
 * written by the protocol module's {@link PacketCodec} (its rules, limits and the 24 bytes
 * it keeps per idle connection are described there). {@code maxBody} is
 * {@code comet.max-body}.
 *
 * <p>One instance per channel; event loop only.
 */
final class TcpPacketCodec extends PacketCodec {
    TcpPacketCodec(int maxBody) {
        super(maxBody);
    }
}
