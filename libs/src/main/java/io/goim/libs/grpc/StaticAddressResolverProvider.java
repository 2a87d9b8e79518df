package io.goim.libs.grpc;

import io.goim.libs.config.HostPort;
import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * gRPC name resolution for a fixed list of peers from configuration: the target
 * {@code goim-static:///10.0.0.1:7170,10.0.0.2:7170} resolves, once, to those addresses,
 * each its own address group so that a load-balancing policy such as {@code round_robin}
 * keeps one subchannel per peer and skips the ones that are down.
 *
 * <p>gRPC ships no resolver for "these N addresses" (its {@code dns} resolver takes one
 * name), and a list from config needs no re-resolution, so {@link #refresh} has nothing to do.
 */
final class StaticAddressResolverProvider extends NameResolverProvider {
    static final String SCHEME = "goim-static";

    /** The channel target for {@code addresses}; IPv6 brackets are escaped since a URI path may not hold them. */
    static String target(List<HostPort> addresses) {
        return target(addresses, "");
    }

    /**
     * The channel target for {@code addresses} whose servers are checked against
     * {@code authority} (the name their TLS certificates carry), or, when it is empty, each
     * against its own {@code host:port}: {@code goim-static://goim.internal/10.0.0.1:7170,...}.
     */
    static String target(List<HostPort> addresses, String authority) {
        return SCHEME + "://" + authority + "/" + addresses.stream()
                .map(a -> a.target().replace("[", "%5B").replace("]", "%5D"))
                .collect(Collectors.joining(","));
    }

    static List<HostPort> parse(URI target) {
        String path = target.getPath();
        if (path == null || path.length() < 2) {
            throw new IllegalArgumentException("no addresses in " + target);
        }
        List<HostPort> addresses = new ArrayList<>();
        for (String a : path.substring(1).split(",")) {
            addresses.add(HostPort.parse(target.toString(), a));
        }
        return addresses;
    }

    @Override
    protected boolean isAvailable() {
        return true;
    }

    /**
     * Below dns (5): the registry's default scheme, used for targets such as
     * {@code 127.0.0.1:7170}, is the highest-priority provider's, and must stay dns.
     */
    @Override
    protected int priority() {
        return 4;
    }

    @Override
    public String getDefaultScheme() {
        return SCHEME;
    }

    @Override
    public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
        if (!SCHEME.equals(targetUri.getScheme())) {
            return null;
        }
        return new Resolver(parse(targetUri), targetUri.getAuthority());
    }

    private static final class Resolver extends NameResolver {
        private final List<HostPort> addresses;
        /** The name every server's certificate must carry, or null: each its own address. */
        private final String authority;

        Resolver(List<HostPort> addresses, String authority) {
            this.addresses = List.copyOf(addresses);
            this.authority = authority == null || authority.isEmpty() ? null : authority;
        }

        @Override
        public String getServiceAuthority() {
            return authority != null ? authority : addresses.get(0).target();
        }

        @Override
        public void start(Listener2 listener) {
            List<EquivalentAddressGroup> groups = new ArrayList<>(addresses.size());
            for (HostPort a : addresses) {
                // The authority of each connection: with TLS the name its server's certificate is
                // checked against. Without an override every connection would use the channel's
                // (the first address), and the certificate of every other peer would not match.
                Attributes attributes = Attributes.newBuilder()
                        .set(EquivalentAddressGroup.ATTR_AUTHORITY_OVERRIDE, authority != null ? authority : a.target())
                        .build();
                groups.add(new EquivalentAddressGroup(new InetSocketAddress(a.host(), a.port()), attributes));
            }
            // No service config from the resolver: the channel's default one applies.
            listener.onResult(ResolutionResult.newBuilder().setAddresses(groups).build());
        }

        @Override
        public void shutdown() {
        }
    }
}
