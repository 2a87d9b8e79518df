package io.goim.libs.grpc;

import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The shared secret as it travels: a metadata header on every call, compared in constant
 * time. Both sides hash before comparing, so the comparison takes the same time whatever
 * the length or content of what a peer sent ({@link MessageDigest#isEqual} is constant-time
 * only for inputs of equal length).
 */
final class SharedSecret {
    /** The header every internal call carries; a name of our own, so no proxy mistakes it for user credentials. */
    static final Metadata.Key<String> HEADER = Metadata.Key.of("goim-peer-secret", Metadata.ASCII_STRING_MARSHALLER);

    private SharedSecret() {
    }

    /** Attaches {@code secret} to every call of the channel it is installed on. */
    static ClientInterceptor attach(String secret) {
        Metadata headers = new Metadata();
        headers.put(HEADER, secret);
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
