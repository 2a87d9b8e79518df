package io.goim.job;

import io.goim.protocol.RoomKeys;
import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.KafkaBroker;
import io.goim.proto.PushMsg;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What job's Kafka tests share: one real in-process broker for the test JVM (started on
 * first use, stopped at exit), a producer, record builders, and a job wired to test comets.
 */
public final class JobFixture {
    static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger names = new AtomicInteger();
    private static KafkaBroker kafka;
    private static KafkaProducer<String, byte[]> producer;

    private JobFixture() {
    }

    static synchronized KafkaBroker kafka() throws Exception {
        if (kafka == null) {
            KafkaBroker broker = KafkaBroker.start();
            KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, "1"), new StringSerializer(), new ByteArraySerializer());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    p.close(Duration.ofSeconds(2));
                    broker.close();
                } catch (Exception ignored) {
                    // the JVM is exiting
                }
            }));
            kafka = broker;
            producer = p;
        }
        return kafka;
    }

    static KafkaProducer<String, byte[]> producer() {
        return producer;
    }

    /** A fresh topic with {@code partitions} partitions; its name doubles as the group id. */
    static String topic(int partitions) throws Exception {
        String t = "pushes-" + names.incrementAndGet();
        kafka().createTopic(t, partitions);
        return t;
    }

    static JobServer job(String topic, Map<Integer, RecordingComet> comets, Object... overrides) throws Exception {
        Map<String, String> addresses = new HashMap<>();
        comets.forEach((id, c) -> addresses.put(id.toString(), c.address()));
        return jobAt(topic, addresses, overrides);
    }

    static JobServer jobAt(String topic, Map<String, String> cometAddresses, Object... overrides) throws Exception {
        Map<String, Object> c = new HashMap<>();
        c.put("job.kafka.bootstrap-servers", kafka().bootstrapServers());
        c.put("job.kafka.topic", topic);
        c.put("job.kafka.group-id", topic);
        c.put("job.comets", cometAddresses);
        c.put("job.discovery.enabled", false); // fake comets, no logic to ask
        c.put("job.comet-poll", "100ms");
        for (int i = 0; i < overrides.length; i += 2) {
            c.put((String) overrides[i], overrides[i + 1]);
        }
        return JobServer.start(ConfigLoader.withDefaults(ConfigFactory.parseMap(c)));
    }

    static void send(String topic, String key, PushMsg msg) {
        producer.send(new ProducerRecord<>(topic, key, msg.toByteArray()));
    }

    static void sendRaw(String topic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value));
    }

    static void flush() {
        producer.flush();
    }

    /** A room record as logic writes it: the room key, and the v1 room number for a job from before room keys. */
    public static PushMsg room(int room, String body, boolean ensure) {
        return PushMsg.newBuilder().setType(PushMsg.Type.BROADCAST_ROOM).setRoomKey(RoomKeys.ofV1(room)).setRoomId(room)
                .setMsg(ByteString.copyFromUtf8(body)).setEnsure(ensure).build();
    }

    /** A room record for a typed room (room_id -1, as logic writes it). */
    static PushMsg room(String roomKey, String body) {
        return PushMsg.newBuilder().setType(PushMsg.Type.BROADCAST_ROOM).setRoomKey(roomKey).setRoomId(-1)
                .setMsg(ByteString.copyFromUtf8(body)).build();
    }

    /** A room record as logic wrote it before room keys: only the int room id. */
    static PushMsg legacyRoom(int room, String body) {
        return PushMsg.newBuilder().setType(PushMsg.Type.BROADCAST_ROOM).setRoomId(room)
                .setMsg(ByteString.copyFromUtf8(body)).build();
    }

    static PushMsg user(int server, String body, String... keys) {
        return PushMsg.newBuilder().setType(PushMsg.Type.MULTIPLE).setServer(server).addAllKeys(List.of(keys))
                .setMsg(ByteString.copyFromUtf8(body)).build();
    }

    static PushMsg broadcast(String body) {
        return PushMsg.newBuilder().setType(PushMsg.Type.BROADCAST).setMsg(ByteString.copyFromUtf8(body)).build();
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Waits until the job has polled every comet twice more (so one fresh answer was applied). */
    static void awaitPolled(RecordingComet... comets) throws InterruptedException {
        int[] start = new int[comets.length];
        for (int i = 0; i < comets.length; i++) {
            start[i] = comets[i].pings.get();
        }
        Await.until("every comet polled", WAIT, () -> {
            for (int i = 0; i < comets.length; i++) {
                if (comets[i].pings.get() < start[i] + 2) {
                    return false;
                }
            }
            return true;
        });
    }
}
