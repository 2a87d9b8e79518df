package io.goim.libs.grpc;

import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The idempotency id of a push call from job to comet: job gives every call one id, the
 * same on each of its retries (header {@code goim-call-id}), and comet applies a call
 * whose id it applied recently only once. A retry follows a call job could not see
 * answered (deadline exceeded, connection lost), which comet may well have applied:
 * without the id its connections would get that push twice.
 */
public final class CallIds {
    /** The header: a non-zero 64-bit id in hex. */
    public static final Metadata.Key<String> HEADER = Metadata.Key.of("goim-call-id", Metadata.ASCII_STRING_MARSHALLER);

    private CallIds() {
    }

    /** A new random non-zero id. */
    public static long next() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return id;
    }

    /** Attaches {@code id} to the calls of a stub ({@code stub.withInterceptors(CallIds.attach(id))}). */
    public static ClientInterceptor attach(long id) {
        Metadata m = new Metadata();
        m.put(HEADER, Long.toHexString(id));
        return MetadataUtils.newAttachHeadersInterceptor(m);
    }

    /** The id in {@code headers}; 0 when absent or malformed. */
    public static long of(Metadata headers) {
        String v = headers.get(HEADER);
        if (v == null || v.isEmpty() || v.length() > 16) {
            return 0;
        }
        try {
            return Long.parseUnsignedLong(v, 16);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
