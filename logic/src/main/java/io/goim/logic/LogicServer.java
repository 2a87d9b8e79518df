package io.goim.logic;

import com.typesafe.config.Config;
import io.goim.libs.config.InvalidConfigException;
import io.goim.libs.grpc.GrpcChannels;
import io.goim.libs.lifecycle.ServiceMain;
import io.goim.libs.lifecycle.ShutdownSequence;
import io.goim.logic.http.HttpApiHandler;
import io.goim.logic.http.HttpApiServer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logic service: gRPC Connect/Disconnect for comets, the HTTP push API for
 * backends, router clients and the Kafka producer behind them. {@link #main} is the
 * jar's entry point; tests call {@link #start} and {@link #close}.
 */
public final class LogicServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogicServer.class);

    private final ShutdownSequence shutdown = new ShutdownSequence("logic");
    private final Server grpc;
    private final HttpApiServer http;

    private LogicServer(LogicConfig config) throws Exception {
        try {
            Routers routers = new Routers(config.routers(), config.routerTimeout());
            PushProducer producer = new PushProducer(config.kafkaBootstrap(), config.topic(),
                    config.sendTimeout(), config.kafkaProperties());
            ThreadPoolExecutor sendExecutor = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(10_000), r -> new Thread(r, "logic-kafka-send"));
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "logic-timer");
                t.setDaemon(true);
                return t;
            });
            Counts counts = new Counts(routers);
            PushService pushes = new PushService(routers, producer, sendExecutor);

            grpc = NettyServerBuilder.forAddress(config.grpc().socketAddress())
                    .addService(new LogicService(authenticator(config), routers))
                    .build()
                    .start();
            http = new HttpApiServer(config.http().socketAddress(), config.httpThreads(), config.httpMaxBody(),
                    new HttpApiHandler(api(pushes, counts)));
            counts.start(timer, config.countRefresh().toMillis());

            shutdown.then("http accept", http::stopAccepting)
                    .then("grpc server", () -> GrpcChannels.close(grpc, config.shutdownGrace()))
                    .then("http connections", () -> http.close(config.shutdownGrace()))
                    .then("count timer", timer::shutdownNow)
                    .then("kafka send executor", () -> {
                        sendExecutor.shutdown();
                        sendExecutor.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
                    })
                    .then("kafka producer", producer::close)
                    .then("router clients", routers::close);
            log.info("logic serving gRPC on {}, HTTP on port {}, routers {}, kafka {} topic {}",
                    grpc.getListenSockets(), http.port(), config.routers(), config.kafkaBootstrap(), config.topic());
        } catch (Exception e) {
            shutdown.close();
            throw e;
        }
    }

    public static LogicServer start(Config config) throws Exception {
        return new LogicServer(LogicConfig.from(config));
    }

    public static void main(String[] args) {
        ServiceMain.run("logic", args, LogicServer::start);
    }

    public int grpcPort() {
        return grpc.getPort();
    }

    public int httpPort() {
        return http.port();
    }

    @Override
    public void close() throws Exception {
        shutdown.close();
    }

    private static Authenticator authenticator(LogicConfig config) {
        if (config.authClass().isEmpty()) {
            return new DefaultAuthenticator(config.allowAnonymous());
        }
        try {
            return Class.forName(config.authClass()).asSubclass(Authenticator.class).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new InvalidConfigException("logic.auth.class: " + config.authClass()
                    + " (expected: a class implementing " + Authenticator.class.getName()
                    + " with a public no-argument constructor): " + e);
        }
    }

    private static HttpApiHandler.PushApi api(PushService pushes, Counts counts) {
        return new HttpApiHandler.PushApi() {
            @Override
            public CompletableFuture<Void> pushUsers(List<Long> userIds, byte[] msg) {
                return pushes.pushUsers(userIds, msg);
            }

            @Override
            public CompletableFuture<Void> pushRoom(int room, byte[] msg, boolean ensure) {
                return pushes.pushRoom(room, msg, ensure);
            }

            @Override
            public CompletableFuture<Void> pushAll(byte[] msg) {
                return pushes.pushAll(msg);
            }

            @Override
            public CompletableFuture<Void> delServer(int server) {
                return pushes.delServer(server);
            }

            @Override
            public Map<Integer, Integer> roomCounts() {
                return counts.snapshot().rooms();
            }

            @Override
            public Map<Integer, Integer> serverCounts() {
                return counts.snapshot().servers();
            }
        };
    }
}
