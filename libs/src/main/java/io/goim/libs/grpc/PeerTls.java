package io.goim.libs.grpc;

import io.goim.libs.config.Settings;
import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Mutual TLS between services: every server presents {@code certFile} and requires a
 * client certificate signed by {@code caFile}; every channel presents the same kind of
 * certificate and accepts only servers whose certificate {@code caFile} signed. A private
 * CA for the cluster's internal certificates makes "signed by it" the proof of membership.
 *
 * <p>A channel checks the server's certificate against the address it dials (an IP SAN or
 * DNS name), or against {@code serverName} when set: one name every internal certificate
 * carries, so that certificates need not list every address. Immutable.
 *
 * @param certFile PEM certificate chain this service presents
 * @param keyFile PEM private key of that certificate (PKCS#8, unencrypted)
 * @param caFile PEM certificate(s) of the CA that signs peers' certificates
 * @param serverName the name a server's certificate must carry, or empty for its address
 */
public record PeerTls(String certFile, String keyFile, String caFile, String serverName) {

    /** Reads a {@code tls} section; null when its three files are empty (TLS off). */
    static PeerTls read(Settings s) {
        String cert = s.string("cert-file");
        String key = s.string("key-file");
        String ca = s.string("ca-file");
        String name = s.string("server-name");
        if (cert.isEmpty() && key.isEmpty() && ca.isEmpty()) {
            if (!name.isEmpty()) {
                throw s.invalid("server-name", name, "empty while cert-file, key-file and ca-file are");
            }
            return null;
        }
        for (String[] kv : new String[][] {{"cert-file", cert}, {"key-file", key}, {"ca-file", ca}}) {
            if (kv[1].isEmpty()) {
                throw s.invalid(kv[0], "\"\"", "set: mutual TLS needs cert-file, key-file and ca-file");
            }
            if (!new File(kv[1]).canRead()) {
                throw s.invalid(kv[0], kv[1], "a readable PEM file");
            }
        }
        return new PeerTls(cert, key, ca, name);
    }

    /** Server side: present the certificate, require and verify the client's. */
    public ServerCredentials serverCredentials() {
        try {
            return TlsServerCredentials.newBuilder()
                    .keyManager(new File(certFile), new File(keyFile))
                    .trustManager(new File(caFile))
                    .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("peer-auth.tls: " + e.getMessage(), e);
        }
    }

    /** Channel side: present the certificate, verify the server's. */
    public ChannelCredentials channelCredentials() {
        try {
            return TlsChannelCredentials.newBuilder()
                    .keyManager(new File(certFile), new File(keyFile))
                    .trustManager(new File(caFile))
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("peer-auth.tls: " + e.getMessage(), e);
        }
    }
}
