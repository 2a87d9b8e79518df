package io.goim.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goim.client.internal.ClientHandler;
import io.goim.client.internal.NodesLookup;
import io.goim.client.internal.RoomState;
import io.goim.client.internal.WsJsonCodec;
import io.goim.protocol.Op;
import io.goim.protocol.Transport;
import io.goim.protocol.PacketCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A goim client over TCP or WebSocket: connects, logs in (a v1 token or a goim v2 login),
 * heartbeats, hands pushes to a {@link PushListener}, and reconnects with exponential
 * backoff and jitter whenever the connection is lost, until {@link #close()}.
 *
 * <pre>
 * GoimClient client = GoimClient.tcp("127.0.0.1", 8080)
 *         .login(V2Login.mid(123).room("live://1000").accepts(1000))   // or .token("42") for v1
 *         .nodes(URI.create("http://127.0.0.1:7172"))                   // optional: ask logic which comet
 *         .listener((op, body) -> System.out.println(new String(body, UTF_8)))
 *         .build();
 * client.start().get(5, SECONDS);                 // completes on the first successful login
 * client.joinRoom("live://2000").get();           // rooms: joinRoom, leaveRoom, changeRoom
 * client.subscribe(1001).get();                   // accepts (v2 logins): subscribe, unsubscribe
 * client.send("hi".getBytes(UTF_8)).get();        // upstream: completes on the server's op 5 with its seq
 * ...
 * client.close();
 * </pre>
 *
 * <p><b>Requests</b> ({@link #joinRoom}, {@link #leaveRoom}, {@link #changeRoom},
 * {@link #subscribe}, {@link #unsubscribe}, {@link #send(byte[])}) each carry a seq of
 * their own and complete when the server's reply of that seq arrives; they fail with a
 * {@link RefusedException} when the server refuses, with a {@link TimeoutException}
 * after {@link Builder#requestTimeout}, with an {@link IOException} when the connection
 * closes first, and at once with an {@link IllegalStateException} while the client is not
 * logged in (reconnecting, or closed). None is left hanging. They complete on the
 * client's event loop: do not block in a dependent stage.
 *
 * <p><b>After a reconnect</b> the client logs in again and puts the new connection back
 * where the old one was: a v2 login names the first room and the accepted operations
 * itself; then the further rooms are joined again (and, for a login whose room the
 * server picks, the first room is changed back and rooms left are left again). The
 * listener's {@link PushListener#onAuthenticated()} and {@link #isAuthenticated()} follow
 * once that is done.
 *
 * <p><b>Nodes</b>: with {@link Builder#nodes}, each round of connection attempts starts
 * by asking logic's {@code /goim/nodes/weighted} for comets (least loaded first) and tries
 * their addresses for this transport in order, then the configured address; when logic
 * cannot be asked, the configured address alone.
 *
 * <p>Thread-safe. Listener calls come from the client's event loop.
 */
public final class GoimClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GoimClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** goim v2's cap on one connection's accepted operations (comet's V2State.MAX_ACCEPTS). */
    public static final int MAX_ACCEPTS = 64;

    private final Builder config;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final EventLoop loop;
    private final CompletableFuture<Void> firstAuth = new CompletableFuture<>();
    private final RoomState state;
    private final NodesLookup nodes;
    /** This round's addresses still to try; event loop only. */
    private final Deque<InetSocketAddress> round = new ArrayDeque<>();
    private final InetSocketAddress configured;
    private volatile Channel channel;
    /** The current connection's handler, once connected; event loop only. */
    private ClientHandler handler;
    private volatile boolean authenticated;
    private volatile boolean closed;
    private Throwable lastFailure;
    private int attempt;

    private GoimClient(Builder b) {
        this.config = b;
        this.ownsGroup = b.group == null;
        this.group = ownsGroup ? Transport.best().group(1, "goim-client") : b.group;
        this.loop = group.next();
        this.configured = InetSocketAddress.createUnresolved(b.host, b.port);
        if (b.v2 == null) {
            state = new RoomState(null, false, new int[0]);
        } else {
            state = new RoomState(b.v2.room, b.v2.token == null, b.v2.accepts);
        }
        boolean secure = secure();
        this.nodes = b.nodes == null ? null : new NodesLookup(b.nodes,
                b.uri == null ? secure ? NodesLookup.Kind.TLS_TCP : NodesLookup.Kind.TCP
                        : secure ? NodesLookup.Kind.WSS : NodesLookup.Kind.WS,
                b.connectTimeout);
    }

    /** A client of comet's TCP protocol. */
    public static Builder tcp(String host, int port) {
        return new Builder(host, port, null);
    }

    /** A client of comet's WebSocket protocol, e.g. {@code ws://127.0.0.1:8090/sub} or {@code wss://…}. */
    public static Builder webSocket(URI uri) {
        int port = uri.getPort() > 0 ? uri.getPort() : "wss".equals(uri.getScheme()) ? 443 : 80;
        return new Builder(uri.getHost(), port, uri);
    }

    /** Starts connecting; the future completes at the first successful login. */
    public CompletableFuture<Void> start() {
        loop.execute(this::startRound);
        return firstAuth;
    }

    /** True while the current connection is logged in (and, after a reconnect, back in its rooms). */
    public boolean isAuthenticated() {
        return authenticated;
    }

    /** The comet the client is connected to, or null. */
    public InetSocketAddress remoteAddress() {
        Channel ch = channel;
        return ch != null && ch.isActive() && ch.remoteAddress() instanceof InetSocketAddress a ? a : null;
    }

    /**
     * Sends a client message (goim op 4, answered by the server with op 5) if connected, with
     * seq 0: the reply reaches the listener like a push. See {@link #send(byte[])} for a
     * message whose acknowledgement is awaited.
     */
    public boolean send(int op, byte[] body) {
        Channel ch = channel;
        if (ch == null || !authenticated) {
            return false;
        }
        ClientHandler.send(ch, op, body);
        return true;
    }

    /**
     * Sends a client message (op 4) for backends and completes with the body of its
     * acknowledgement, the op 5 of the same seq: {@code {"ret":1}} once Kafka took it (comet's
     * kafka mode), the message itself in echo mode. Fails with a {@link RefusedException}
     * for a reply {@code {"ret":<not 1>,"msg":…}} (rate limited, busy, not accepted by
     * Kafka: try again), and as every request otherwise. In echo mode a message that is
     * itself such an object comes back as a refusal.
     */
    public CompletableFuture<byte[]> send(byte[] body) {
        byte[] copy = body.clone();
        return request(Op.SEND_MSG, Op.SEND_MSG_REPLY, h -> copy, (h, reply) -> {
            JsonNode n = json(reply);
            if (n != null && n.isObject() && n.path("ret").isInt() && n.path("ret").asInt() != 1) {
                throw new RefusedException(n.path("ret").asInt(), n.path("msg").asText("message refused"));
            }
            return reply;
        });
    }

    /**
     * Joins one more room (ops 18 → 19, beyond goim); completes with how many rooms the
     * connection is in now. Refused (a malformed key, one room too many) with the server's message.
     */
    public CompletableFuture<Integer> joinRoom(String room) {
        return request(Op.JOIN_ROOM, Op.JOIN_ROOM_REPLY, h -> text(h, room), (h, reply) -> {
            int rooms = roomReply(reply);
            state.joined(room);
            return rooms;
        });
    }

    /** Leaves one room, the first or a further one (ops 20 → 21); completes with how many rooms it is in now. */
    public CompletableFuture<Integer> leaveRoom(String room) {
        return request(Op.LEAVE_ROOM, Op.LEAVE_ROOM_REPLY, h -> text(h, room), (h, reply) -> {
            int rooms = roomReply(reply);
            state.left(room);
            return rooms;
        });
    }

    /** goim v2's change room (ops 12 → 13): leaves the first room for {@code room}; "" leaves it. */
    public CompletableFuture<Void> changeRoom(String room) {
        return request(Op.CHANGE_ROOM, Op.CHANGE_ROOM_REPLY, h -> text(h, room), (h, reply) -> {
            if (!room.equals(replyText(h, reply))) {
                throw new RefusedException(65534, "room key \"" + room + "\" refused");
            }
            state.changed(room);
            return null;
        });
    }

    /** goim v2's subscribe (ops 14 → 15): the connection also receives pushes of {@code ops}. A v2 login only. */
    public CompletableFuture<Void> subscribe(int... ops) {
        return accepts(Op.SUB, Op.SUB_REPLY, ops.clone());
    }

    /** goim v2's unsubscribe (ops 16 → 17). A v2 login only. */
    public CompletableFuture<Void> unsubscribe(int... ops) {
        return accepts(Op.UNSUB, Op.UNSUB_REPLY, ops.clone());
    }

    private CompletableFuture<Void> accepts(int op, int replyOp, int[] ops) {
        if (config.v2 == null) {
            // comet closes a v1 connection that sends op 14 or 16.
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "operations are subscribed by goim v2 logins only (a v1 connection accepts every operation)"));
        }
        if (ops.length == 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("ops: none given"));
        }
        if (op == Op.SUB && state.acceptsWith(ops) > MAX_ACCEPTS) {
            // comet would ignore it silently.
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "a connection accepts at most " + MAX_ACCEPTS + " operations"));
        }
        String list = Arrays.stream(ops).mapToObj(Integer::toString).collect(Collectors.joining(","));
        return request(op, replyOp, h -> text(h, list), (h, reply) -> {
            if (op == Op.SUB) {
                state.subscribed(ops);
            } else {
                state.unsubscribed(ops);
            }
            return null;
        });
    }

    /** The rooms the client is in, as far as it knows (a login's room the server chose is not listed), first room first. */
    public List<String> rooms() {
        return state.rooms();
    }

    /** The operations a v2 login accepts now (sorted); empty for a v1 login, which accepts every operation. */
    public int[] accepts() {
        return state.accepts();
    }

    private <T> CompletableFuture<T> request(int op, int replyOp, Function<ClientHandler, byte[]> body,
            BiFunction<ClientHandler, byte[], T> onReply) {
        CompletableFuture<T> out = new CompletableFuture<>();
        if (closed) {
            out.completeExceptionally(new IllegalStateException("client closed"));
            return out;
        }
        try {
            loop.execute(() -> {
                ClientHandler h = handler;
                if (closed || h == null || !h.isAuthenticated()) {
                    out.completeExceptionally(new IllegalStateException(closed ? "client closed" : "not connected"));
                    return;
                }
                h.request(op, replyOp, body.apply(h), config.requestTimeout.toNanos()).whenComplete((reply, e) -> {
                    if (e != null) {
                        out.completeExceptionally(e);
                        return;
                    }
                    try {
                        out.complete(onReply.apply(h, reply));
                    } catch (RuntimeException r) {
                        out.completeExceptionally(r);
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            out.completeExceptionally(new IllegalStateException("client closed"));
        }
        return out;
    }

    /** A text body: its UTF-8 bytes, or over WebSocket the JSON string (so "1000" stays a string, not a number). */
    private static byte[] text(ClientHandler h, String s) {
        if (!h.isWebSocket()) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return JSON.writeValueAsBytes(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a string always serialises", e);
        }
    }

    /** A reply's text: over WebSocket its body is JSON (a string, or {} for an empty body). */
    private static String replyText(ClientHandler h, byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8);
        if (!h.isWebSocket()) {
            return s;
        }
        JsonNode n = json(body);
        if (n == null) {
            return s;
        }
        return n.isTextual() ? n.asText() : n.isObject() && n.isEmpty() ? "" : s;
    }

    private static JsonNode json(byte[] body) {
        try {
            JsonNode n = JSON.readTree(body);
            return n == null || n.isMissingNode() ? null : n;
        } catch (IOException notJson) {
            return null;
        }
    }

    /** A join or leave reply: {@code {"ret":1,"room":…,"rooms":n}}, or a refusal. */
    private static int roomReply(byte[] body) {
        JsonNode n = json(body);
        if (n == null || !n.isObject()) {
            throw new IllegalStateException("unexpected reply: " + new String(body, StandardCharsets.UTF_8));
        }
        if (n.path("ret").asInt() != 1) {
            throw new RefusedException(n.path("ret").asInt(), n.path("msg").asText("refused"));
        }
        return n.path("rooms").asInt();
    }

    private boolean secure() {
        return config.uri != null ? "wss".equals(config.uri.getScheme()) : config.tls;
    }

    /** A round of attempts: logic's comets (when asked) then the configured address. */
    private void startRound() {
        if (closed) {
            return;
        }
        round.clear();
        if (nodes == null) {
            round.add(configured);
            tryNext();
            return;
        }
        nodes.lookup().whenComplete((addresses, e) -> execute(() -> {
            round.clear();
            if (e != null) {
                log.debug("nodes lookup failed, using {}: {}", configured, e.toString());
            } else {
                for (String a : addresses) {
                    InetSocketAddress target = parse(a);
                    if (target != null && !target.equals(configured)) {
                        round.add(target);
                    }
                }
            }
            round.add(configured);
            tryNext();
        }));
    }

    private void execute(Runnable r) {
        try {
            loop.execute(r);
        } catch (RejectedExecutionException closedMeanwhile) {
            // the client's own group is shut down: nothing left to do
        }
    }

    private static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return InetSocketAddress.createUnresolved(host, Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void tryNext() {
        if (closed) {
            return;
        }
        InetSocketAddress target = round.poll();
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(Transport.best().socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout.toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) throws SSLException {
                        initPipeline(ch, target);
                    }
                });
        if (config.localAddress != null) {
            b.localAddress(config.localAddress, 0);
        }
        ChannelFuture f = b.connect(target.getHostString(), target.getPort());
        channel = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                lastFailure = done.cause();
                next(false);
            } else {
                f.channel().closeFuture().addListener(c -> {
                    boolean wasLoggedIn = handler != null && handler.wasAuthenticated();
                    handler = null;
                    authenticated = false;
                    next(wasLoggedIn);
                });
            }
        });
    }

    /** After a failed attempt: the round's next address at once, else a new round after the backoff. */
    private void next(boolean wasLoggedIn) {
        if (wasLoggedIn) {
            round.clear(); // the comets may have changed: ask again
        }
        if (!closed && !round.isEmpty()) {
            config.listener.onDisconnected(lastFailure, 0);
            lastFailure = null;
            tryNext();
        } else {
            scheduleReconnect();
        }
    }

    private byte[] loginBody() {
        V2Login v2 = config.v2;
        if (v2 == null) {
            return config.token;
        }
        ObjectNode o = JSON.createObjectNode();
        if (v2.token != null) {
            o.put("token", v2.token);
        } else {
            o.put("mid", v2.mid).put("key", v2.key).put("room_id", state.first() == null ? "" : state.first());
        }
        o.put("platform", v2.platform);
        ArrayNode accepts = o.putArray("accepts");
        for (int op : state.accepts()) {
            accepts.add(op);
        }
        try {
            return JSON.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    private void initPipeline(Channel ch, InetSocketAddress target) throws SSLException {
        ClientHandler[] self = new ClientHandler[1];
        ClientHandler.Events events = new ClientHandler.Events() {
            @Override
            public void authenticated() {
                loggedIn(self[0]);
            }

            @Override
            public void packet(int op, byte[] body) {
                config.listener.onPush(op, body);
            }

            @Override
            public void failed(Throwable cause) {
                lastFailure = cause;
            }
        };
        if (secure()) {
            SslContextBuilder ssl = SslContextBuilder.forClient();
            if (config.trustAll) {
                ssl.trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE);
            }
            SslContext ctx = ssl.build();
            ch.pipeline().addLast(ctx.newHandler(ch.alloc(), target.getHostString(), target.getPort()));
        }
        long heartbeat = config.heartbeat.toNanos();
        ClientHandler h = new ClientHandler(loginBody(), config.uri != null, heartbeat, config.maxPendingRequests, events);
        self[0] = h;
        handler = h;
        if (config.uri == null) {
            ch.pipeline().addLast(new PacketCodec(config.maxBody), h);
        } else {
            URI uri;
            try {
                uri = new URI(config.uri.getScheme(), config.uri.getUserInfo(), target.getHostString(), target.getPort(),
                        config.uri.getPath(), config.uri.getQuery(), null);
            } catch (java.net.URISyntaxException e) {
                throw new IllegalStateException("address " + target + ": " + e.getMessage(), e);
            }
            ch.pipeline().addLast(
                    new HttpClientCodec(),
                    new HttpObjectAggregator(8192),
                    new WebSocketClientProtocolHandler(uri, WebSocketVersion.V13, null, true,
                            new DefaultHttpHeaders(), config.maxBody + 1024),
                    new WsJsonCodec(),
                    h);
        }
    }

    /** The server accepted the login: put the connection back in its rooms, then report it. */
    private void loggedIn(ClientHandler h) {
        List<CompletableFuture<?>> steps = new ArrayList<>();
        for (RoomState.Step s : state.replay()) {
            int replyOp = s.op() + 1;
            steps.add(h.request(s.op(), replyOp, text(h, s.room()), config.requestTimeout.toNanos())
                    .handle((reply, e) -> {
                        if (e == null && s.op() != Op.CHANGE_ROOM) {
                            try {
                                roomReply(reply);
                            } catch (RefusedException refused) {
                                // Taken before, refused now (the server's limits changed): no longer in it.
                                log.warn("room \"{}\" not joined again after reconnecting: {}", s.room(), refused.getMessage());
                                state.forget(s.room());
                            }
                        } else if (e instanceof TimeoutException) {
                            // The server's state is unknown: start over on a new connection.
                            lastFailure = e;
                            if (h == handler) {
                                channel.close();
                            }
                        }
                        return null;
                    }));
        }
        CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            if (h != handler || !h.isAuthenticated() || closed) {
                return; // the connection closed meanwhile: the next one does it again
            }
            authenticated = true;
            attempt = 0;
            firstAuth.complete(null);
            config.listener.onAuthenticated();
        });
    }

    private void scheduleReconnect() {
        if (closed) {
            config.listener.onDisconnected(lastFailure, -1);
            return;
        }
        long delay = config.backoff.delayMillis(attempt++);
        config.listener.onDisconnected(lastFailure, delay);
        lastFailure = null;
        loop.schedule(this::startRound, delay, TimeUnit.MILLISECONDS);
    }

    /** Closes the connection and stops reconnecting; requests still awaiting a reply fail. */
    @Override
    public void close() {
        closed = true;
        Channel ch = channel;
        if (ch != null) {
            ch.close().syncUninterruptibly();
        }
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        firstAuth.completeExceptionally(new IllegalStateException("client closed"));
    }

    /** Settings of a {@link GoimClient}. Not thread-safe; build once. */
    public static final class Builder {
        private final String host;
        private final int port;
        private final URI uri;
        private byte[] token = new byte[0];
        private Duration heartbeat = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Backoff backoff = Backoff.defaults();
        private int maxBody = 1 << 20;
        private boolean tls;
        private boolean trustAll;
        private String localAddress;
        private EventLoopGroup group;
        private PushListener listener;
        private V2Login v2;
        private URI nodes;
        private Duration requestTimeout = Duration.ofSeconds(10);
        private int maxPendingRequests = 256;

        private Builder(String host, int port, URI uri) {
            this.host = Objects.requireNonNull(host, "host");
            this.port = port;
            this.uri = uri;
        }

        /** The auth token: over TCP the op 7 body; over WebSocket the JSON of {@code body} (a user id like {@code 42}). */
        public Builder token(String token) {
            this.token = token.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /** Logs in as a goim v2 client instead of with a v1 {@link #token}. */
        public Builder login(V2Login login) {
            this.v2 = Objects.requireNonNull(login, "login");
            return this;
        }

        /**
         * Asks logic's nodes API ({@code <logic>/goim/nodes/weighted}) which comets to connect
         * to, e.g. {@code http://127.0.0.1:7172}; the configured address is the fallback.
         */
        public Builder nodes(URI logicHttp) {
            this.nodes = Objects.requireNonNull(logicHttp, "logicHttp");
            return this;
        }

        /**
         * How long a request (room, accepts, {@link GoimClient#send(byte[])}) waits for its reply
         * (default 10 s; comet's kafka mode answers within its own send-timeout, 5 s).
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** Most requests awaiting a reply at once on one connection (default 256); more fail at once. */
        public Builder maxPendingRequests(int max) {
            this.maxPendingRequests = max;
            return this;
        }

        /** Heartbeat interval (default 30 s; must be below the server's heartbeat timeout, 5 min in goim). */
        public Builder heartbeat(Duration interval) {
            this.heartbeat = interval;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder backoff(Backoff backoff) {
            this.backoff = backoff;
            return this;
        }

        /** Largest packet body accepted from the server (default 1 MiB). */
        public Builder maxBody(int bytes) {
            this.maxBody = bytes;
            return this;
        }

        /** TCP over TLS (for WebSocket, use a {@code wss://} URI instead). */
        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        /** Accepts any server certificate: for tests with self-signed certificates only. */
        public Builder trustAllCertificates() {
            this.trustAll = true;
            return this;
        }

        /** Source address to connect from, e.g. {@code 127.0.0.2} (load tests spread over addresses). */
        public Builder localAddress(String address) {
            this.localAddress = address;
            return this;
        }

        /** Shares an event loop group between many clients; the client does not shut it down. */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.group = group;
            return this;
        }

        public Builder listener(PushListener listener) {
            this.listener = listener;
            return this;
        }

        public GoimClient build() {
            if (listener == null) {
                throw new IllegalStateException("listener: not set");
            }
            if (requestTimeout.isZero() || requestTimeout.isNegative()) {
                throw new IllegalArgumentException("requestTimeout: " + requestTimeout + " (expected: > 0)");
            }
            if (maxPendingRequests < 1) {
                throw new IllegalArgumentException("maxPendingRequests: " + maxPendingRequests + " (expected: >= 1)");
            }
            if (heartbeat.isZero() || heartbeat.isNegative()) {
                throw new IllegalArgumentException("heartbeat: " + heartbeat + " (expected: > 0)");
            }
            return new GoimClient(this);
        }
    }
}
