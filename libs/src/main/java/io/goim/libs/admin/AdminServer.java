package io.goim.libs.admin;

import io.goim.libs.http.HttpConnectionGuard;
import io.goim.libs.http.HttpDeadlines;
import io.goim.libs.http.HttpLimits;
import io.goim.protocol.Transport;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Every service's admin port: {@code GET /metrics} (Prometheus text format, from a
 * Micrometer registry with JVM metrics bound), {@code GET /health} (the process is alive:
 * always 200) and {@code GET /ready} (200 when the service can do its job, 503 with the
 * reason when not; used by LVS/keepalived health checks). One event loop thread of its
 * own, so a busy service still answers its probes. Every answer closes its connection.
 * A connection must deliver its request within {@code request-timeout} and at most
 * {@code max-connections} are open at once ({@link HttpConnectionGuard}; meters
 * {@code goim_<service>_admin_connections_refused_total} and
 * {@code goim_<service>_admin_timeouts_total}), so slow or idle clients cannot hold the
 * port that health checks need.
 *
 * <p>Thread-safe.
 */
public final class AdminServer implements AutoCloseable {
    private final PrometheusMeterRegistry registry;
    private final EventLoopGroup group;
    private final Channel listener;

    /** Limits of tests and tools that build an admin server without a configuration. */
    public static final HttpLimits DEFAULT_LIMITS = new HttpLimits(Duration.ofSeconds(10), Duration.ofSeconds(10), 64);

    /**
     * @param readiness called per {@code /ready} request; must not block (return a future)
     * @param readyTimeout how long {@code /ready} waits for the check before answering 503
     */
    public AdminServer(InetSocketAddress address, PrometheusMeterRegistry registry,
            Supplier<CompletableFuture<Readiness>> readiness, Duration readyTimeout) throws InterruptedException {
        this("service", address, DEFAULT_LIMITS, registry, readiness, readyTimeout);
    }

    /** The admin server of {@code service} as its {@code admin} section configures it. */
    public AdminServer(String service, AdminConfig config, PrometheusMeterRegistry registry,
            Supplier<CompletableFuture<Readiness>> readiness) throws InterruptedException {
        this(service, config.listen().socketAddress(), config.limits(), registry, readiness, config.readyTimeout());
    }

    private AdminServer(String service, InetSocketAddress address, HttpLimits limits, PrometheusMeterRegistry registry,
            Supplier<CompletableFuture<Readiness>> readiness, Duration readyTimeout) throws InterruptedException {
        this.registry = registry;
        HttpConnectionGuard guard = new HttpConnectionGuard(limits, registry, "goim_" + service + "_admin",
                service + " admin HTTP");
        Transport transport = Transport.best();
        group = transport.group(1, "admin");
        Handler handler = new Handler(registry, readiness, readyTimeout);
        try {
            listener = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (guard.admit(ch)) {
                                ch.pipeline().addLast(guard.deadlines(), new HttpServerCodec(),
                                        new HttpObjectAggregator(4096), handler);
                            }
                        }
                    })
                    .bind(address).sync().channel();
        } catch (Exception | Error e) {
            // A failed bind must not leave the event loop running.
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** A Prometheus registry with the JVM's memory, GC, thread, class and CPU metrics bound. */
    public static PrometheusMeterRegistry newRegistry(String service) {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        r.config().commonTags("service", service);
        new JvmMemoryMetrics().bindTo(r);
        new JvmGcMetrics().bindTo(r);
        new JvmThreadMetrics().bindTo(r);
        new ClassLoaderMetrics().bindTo(r);
        new ProcessorMetrics().bindTo(r);
        return r;
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() throws InterruptedException {
        listener.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await();
        registry.close();
    }

    @Sharable
    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final PrometheusMeterRegistry registry;
        private final Supplier<CompletableFuture<Readiness>> readiness;
        private final Duration readyTimeout;

        Handler(PrometheusMeterRegistry registry, Supplier<CompletableFuture<Readiness>> readiness, Duration readyTimeout) {
            this.registry = registry;
            this.readiness = readiness;
            this.readyTimeout = readyTimeout;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            HttpDeadlines deadlines = ctx.pipeline().get(HttpDeadlines.class);
            if (deadlines != null) {
                deadlines.requestRead(); // the request is in; /ready's own timeout bounds the answer
            }
            if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
                respond(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", "use GET\n");
                return;
            }
            switch (new QueryStringDecoder(req.uri()).path()) {
                case "/metrics" -> respond(ctx, HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
                        registry.scrape());
                case "/health" -> respond(ctx, HttpResponseStatus.OK, "application/json", "{\"status\":\"UP\"}");
                case "/ready" -> {
                    CompletableFuture<Readiness> check;
                    try {
                        check = readiness.get();
                    } catch (RuntimeException e) {
                        check = CompletableFuture.completedFuture(Readiness.notReady("check failed: " + e));
                    }
                    check.completeOnTimeout(Readiness.notReady("check timed out after " + readyTimeout),
                                    readyTimeout.toMillis(), TimeUnit.MILLISECONDS)
                            .exceptionally(e -> Readiness.notReady("check failed: " + e))
                            .thenAccept(r -> respond(ctx,
                                    r.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                                    "application/json",
                                    "{\"ready\":" + r.ready() + ",\"detail\":\"" + jsonEscape(r.detail()) + "\"}"));
                }
                default -> respond(ctx, HttpResponseStatus.NOT_FOUND, "text/plain", "try /metrics, /health or /ready\n");
            }
        }

        private static String jsonEscape(String s) {
            return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ");
        }

        private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String type, String body) {
            ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
