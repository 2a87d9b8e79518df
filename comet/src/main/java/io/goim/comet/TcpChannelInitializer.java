package io.goim.comet;

import io.goim.libs.protocol.PacketDecoder;
import io.goim.libs.protocol.PacketEncoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/**
 * The pipeline of a client TCP connection, used by the server and by tests alike:
 * <pre>
 *  PacketDecoder → PacketEncoder → AuthHandler (replaced by SessionHandler after auth)
 * </pre>
 */
final class TcpChannelInitializer extends ChannelInitializer<Channel> {
    private final CometContext comet;

    TcpChannelInitializer(CometContext comet) {
        this.comet = comet;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast("decoder", new PacketDecoder(comet.config().maxBody()));
        ch.pipeline().addLast("encoder", PacketEncoder.INSTANCE);
        ch.pipeline().addLast("auth", new AuthHandler(comet));
    }
}
