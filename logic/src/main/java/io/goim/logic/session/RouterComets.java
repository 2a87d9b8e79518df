package io.goim.logic.session;

import io.goim.libs.grpc.Futures;
import io.goim.proto.CometInstance;
import io.goim.proto.CometsReply;
import io.goim.proto.Empty;
import io.goim.proto.RouterGrpc;
import io.goim.proto.WithdrawReq;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.IntFunction;

/**
 * The comet directory on the router tier: every announcement goes to every router, and a
 * read merges every router's answer, keeping for each comet the freshest announcement
 * (smallest age). So a router that is down or restarted empty hides nothing while another
 * answers, and it relearns every comet at their next announcement (within one
 * comet.discovery.announce-interval). Announce and Withdraw succeed when at least one router
 * took them; a read succeeds when at least one router answered.
 *
 * <p>Thread-safe.
 */
final class RouterComets implements CometDirectory {
    private final Collection<Integer> routers;
    private final IntFunction<RouterGrpc.RouterFutureStub> stubs;

    /** {@code stubs} gives router id's stub with the call deadline already set. */
    RouterComets(Collection<Integer> routers, IntFunction<RouterGrpc.RouterFutureStub> stubs) {
        this.routers = List.copyOf(routers);
        this.stubs = stubs;
    }

    @Override
    public CompletableFuture<Void> announce(CometInstance comet) {
        return anyOf(id -> Futures.of(stubs.apply(id).announce(comet)));
    }

    @Override
    public CompletableFuture<Void> withdraw(int server, long incarnation) {
        WithdrawReq req = WithdrawReq.newBuilder().setServer(server).setIncarnation(incarnation).build();
        return anyOf(id -> Futures.of(stubs.apply(id).withdraw(req)));
    }

    @Override
    public CompletableFuture<List<CometInstance>> comets() {
        List<CompletableFuture<CometsReply>> calls = new ArrayList<>();
        for (int id : routers) {
            calls.add(Futures.of(stubs.apply(id).comets(Empty.getDefaultInstance())));
        }
        return CompletableFuture.allOf(calls.stream().map(c -> c.exceptionally(e -> null))
                .toArray(CompletableFuture[]::new)).thenApply(v -> {
                    Map<Integer, CometInstance> freshest = new HashMap<>();
                    Throwable failure = null;
                    for (CompletableFuture<CometsReply> call : calls) {
                        CometsReply reply;
                        try {
                            reply = call.join();
                        } catch (CompletionException e) {
                            failure = e.getCause();
                            continue;
                        }
                        for (CometInstance c : reply.getCometsList()) {
                            freshest.merge(c.getServer(), c, (a, b) -> b.getAgeMs() < a.getAgeMs() ? b : a);
                        }
                    }
                    if (failure != null && freshest.isEmpty() && allFailed(calls)) {
                        throw new CompletionException(failure);
                    }
                    return List.copyOf(freshest.values());
                });
    }

    private static boolean allFailed(List<? extends CompletableFuture<?>> calls) {
        return calls.stream().allMatch(CompletableFuture::isCompletedExceptionally);
    }

    /** Calls every router; completes when all answered, successfully if any did, else with the first failure. */
    private CompletableFuture<Void> anyOf(IntFunction<CompletableFuture<?>> call) {
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (int id : routers) {
            CompletableFuture<?> c;
            try {
                c = call.apply(id);
            } catch (RuntimeException e) {
                c = CompletableFuture.failedFuture(e);
            }
            calls.add(c);
        }
        return CompletableFuture.allOf(calls.stream().map(c -> c.exceptionally(e -> null))
                .toArray(CompletableFuture[]::new)).thenApply(v -> {
                    if (!calls.isEmpty() && allFailed(calls)) {
                        calls.get(0).join(); // throws its failure
                    }
                    return null;
                });
    }
}
