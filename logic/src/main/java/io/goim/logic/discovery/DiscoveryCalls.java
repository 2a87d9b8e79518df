package io.goim.logic.discovery;

import io.goim.logic.session.CometDirectory;
import io.goim.libs.admin.CounterFamily;
import io.goim.libs.discovery.Announcements;
import io.goim.libs.log.RateLimitedLog;
import io.goim.logic.LogicMeters;
import io.goim.proto.CometInstance;
import io.goim.proto.CometsReply;
import io.goim.proto.Empty;
import io.goim.proto.WithdrawReq;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logic's side of comet discovery (Logic.Announce, Withdraw and Comets): checks an
 * announcement and hands it to the session store's {@link CometDirectory}; reads the
 * directory back for job. Calls by outcome are counted in
 * {@code goim_logic_discovery_calls_total{call,outcome}} (outcome ok, invalid, unavailable);
 * refusals and failures are logged at most once per 10 s.
 *
 * <p>Thread-safe.
 */
public final class DiscoveryCalls {
    private static final Logger log = LoggerFactory.getLogger(DiscoveryCalls.class);

    private final CometDirectory directory;
    private final RateLimitedLog failureLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    private final CounterFamily calls;

    /** {@code calls}: tagged call and outcome ({@link LogicMeters#discoveryCalls}). */
    public DiscoveryCalls(CometDirectory directory, CounterFamily calls) {
        this.directory = directory;
        this.calls = calls;
    }

    public void announce(CometInstance req, StreamObserver<Empty> out) {
        String problem = Announcements.problem(req);
        if (problem != null) {
            count("announce", "invalid");
            failureLog.warn("comet announcement refused: {}", problem);
            out.onError(Status.INVALID_ARGUMENT.withDescription(problem).asRuntimeException());
            return;
        }
        directory.announce(req.toBuilder().clearAgeMs().build())
                .whenComplete((v, error) -> done("announce", out, Empty.getDefaultInstance(), error));
    }

    public void withdraw(WithdrawReq req, StreamObserver<Empty> out) {
        if (req.getServer() <= 0) {
            count("withdraw", "invalid");
            out.onError(Status.INVALID_ARGUMENT.withDescription("server " + req.getServer()
                    + " (expected: a comet id > 0)").asRuntimeException());
            return;
        }
        log.info("comet {} withdraws its announcement", req.getServer());
        directory.withdraw(req.getServer(), req.getIncarnation())
                .whenComplete((v, error) -> done("withdraw", out, Empty.getDefaultInstance(), error));
    }

    public void comets(StreamObserver<CometsReply> out) {
        directory.comets().whenComplete((list, error) -> done("comets", out,
                error == null ? CometsReply.newBuilder().addAllComets(list).build() : null, error));
    }

    private <T> void done(String call, StreamObserver<T> out, T reply, Throwable error) {
        if (error == null) {
            count(call, "ok");
            out.onNext(reply);
            out.onCompleted();
            return;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        count(call, "unavailable");
        failureLog.warn("comet {} failed: the session store did not take it: {}", call, cause.toString());
        out.onError(Status.UNAVAILABLE.withDescription("comet " + call + " failed: " + cause.getMessage())
                .asRuntimeException());
    }

    private void count(String call, String outcome) {
        calls.of(call, outcome).increment();
    }
}
