package io.goim.router;

import io.goim.proto.CountReply;
import io.goim.proto.CounterReply;
import io.goim.proto.DelReply;
import io.goim.proto.DelReq;
import io.goim.proto.DelServerReply;
import io.goim.proto.DelServerReq;
import io.goim.proto.Empty;
import io.goim.proto.GetReq;
import io.goim.proto.MGetReply;
import io.goim.proto.MGetReq;
import io.goim.proto.PutReply;
import io.goim.proto.PutReq;
import io.goim.proto.RoomCountReq;
import io.goim.proto.RouterGrpc;
import io.goim.proto.Session;
import io.goim.proto.UserCountReq;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * The router's gRPC face: each RPC of the contract mapped onto the {@link SessionStore}.
 * Bad arguments answer {@code INVALID_ARGUMENT} with a description. All work is in
 * memory, so calls complete on the gRPC executor without blocking.
 */
final class RouterService extends RouterGrpc.RouterImplBase {
    private final SessionStore store;

    RouterService(SessionStore store) {
        this.store = store;
    }

    @Override
    public void ping(Empty request, StreamObserver<Empty> out) {
        reply(out, Empty.getDefaultInstance());
    }

    @Override
    public void put(PutReq req, StreamObserver<PutReply> out) {
        if (!validUser(req.getUserId(), out)) {
            return;
        }
        reply(out, PutReply.newBuilder().setSeq(store.put(req.getUserId(), req.getServer(), req.getRoomId())).build());
    }

    @Override
    public void del(DelReq req, StreamObserver<DelReply> out) {
        if (!validUser(req.getUserId(), out)) {
            return;
        }
        if (req.getSeq() <= 0) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("seq " + req.getSeq() + " (expected: > 0)").asRuntimeException());
            return;
        }
        reply(out, DelReply.newBuilder().setHas(store.del(req.getUserId(), req.getSeq())).build());
    }

    @Override
    public void delServer(DelServerReq req, StreamObserver<DelServerReply> out) {
        reply(out, DelServerReply.newBuilder().setRemoved(store.delServer(req.getServer())).build());
    }

    @Override
    public void allRoomCount(Empty req, StreamObserver<CounterReply> out) {
        reply(out, CounterReply.newBuilder().putAllCounter(store.allRoomCount()).build());
    }

    @Override
    public void allServerCount(Empty req, StreamObserver<CounterReply> out) {
        reply(out, CounterReply.newBuilder().putAllCounter(store.allServerCount()).build());
    }

    @Override
    public void get(GetReq req, StreamObserver<Session> out) {
        if (!validUser(req.getUserId(), out)) {
            return;
        }
        Bucket.UserConns c = store.get(req.getUserId());
        reply(out, c == null ? Session.getDefaultInstance() : toProto(c));
    }

    @Override
    public void mGet(MGetReq req, StreamObserver<MGetReply> out) {
        MGetReply.Builder b = MGetReply.newBuilder();
        for (long userId : req.getUserIdsList()) {
            if (!validUser(userId, out)) {
                return;
            }
            Bucket.UserConns c = store.get(userId);
            if (c != null) {
                b.addUserIds(userId).addSessions(toProto(c));
            }
        }
        reply(out, b.build());
    }

    @Override
    public void getAll(Empty req, StreamObserver<MGetReply> out) {
        MGetReply.Builder b = MGetReply.newBuilder();
        for (Bucket.UserConns c : store.getAll()) {
            b.addUserIds(c.userId()).addSessions(toProto(c));
        }
        reply(out, b.build());
    }

    @Override
    public void count(Empty req, StreamObserver<CountReply> out) {
        reply(out, CountReply.newBuilder().setCount(store.count()).build());
    }

    @Override
    public void roomCount(RoomCountReq req, StreamObserver<CountReply> out) {
        reply(out, CountReply.newBuilder().setCount(store.roomCount(req.getRoomId())).build());
    }

    @Override
    public void userCount(UserCountReq req, StreamObserver<CountReply> out) {
        if (!validUser(req.getUserId(), out)) {
            return;
        }
        reply(out, CountReply.newBuilder().setCount(store.userCount(req.getUserId())).build());
    }

    private static Session toProto(Bucket.UserConns c) {
        Session.Builder b = Session.newBuilder();
        for (int i = 0; i < c.seqs().length; i++) {
            b.addSeqs(c.seqs()[i]).addServers(c.servers()[i]);
        }
        return b.build();
    }

    private static boolean validUser(long userId, StreamObserver<?> out) {
        if (userId < 0) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("user id " + userId + " (expected: >= 0)").asRuntimeException());
            return false;
        }
        return true;
    }

    private static <T> void reply(StreamObserver<T> out, T value) {
        out.onNext(value);
        out.onCompleted();
    }
}
