package io.goim.comet.transport;

import io.goim.comet.CometConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import javax.net.ssl.SSLException;

/**
 * The TLS side of the client listeners: the server context their pipelines put in front of
 * the codec ({@link TcpChannelInitializer}, {@link WebSocketChannelInitializer}), read from
 * the configured certificate chain and key.
 */
public final class ServerTls {
    private ServerTls() {
    }

    /** The server context of {@code tls}, or null when TLS is off (no certificate configured). */
    public static SslContext context(CometConfig.Tls tls) throws SSLException {
        return tls.enabled() ? SslContextBuilder.forServer(new File(tls.certFile()), new File(tls.keyFile())).build() : null;
    }
}
