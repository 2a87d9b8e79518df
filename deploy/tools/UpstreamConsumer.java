import io.goim.proto.UpstreamMsg;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A backend reading clients' messages (op 4) from comet's upstream topic
 * (comet.upstream.mode = kafka): prints each one. docs/upstream.md shows how to run it.
 * Arguments: [bootstrap servers, default 127.0.0.1:9092] [topic, default GoimUpstream].
 */
public class UpstreamConsumer {
    public static void main(String[] args) {
        Properties p = new Properties();
        p.put("bootstrap.servers", args.length > 0 ? args[0] : "127.0.0.1:9092");
        p.put("group.id", "example-backend");
        p.put("auto.offset.reset", "earliest");
        // Commit after handling: a crash re-reads, never skips (at least once, as comet writes).
        p.put("enable.auto.commit", "false");
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(args.length > 1 ? args[1] : "GoimUpstream"));
            while (true) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    try {
                        UpstreamMsg m = UpstreamMsg.parseFrom(r.value());
                        System.out.printf("user %d key %s rooms %s comet %d seq %d at %d: %s%n", m.getUserId(),
                                m.getKey(), m.getRoomsList(), m.getServer(), m.getSeq(), m.getReceivedAtMillis(),
                                m.getBody().toStringUtf8());
                    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                        System.err.printf("skipping a record that is not an UpstreamMsg at %s-%d@%d%n",
                                r.topic(), r.partition(), r.offset());
                    }
                }
                consumer.commitSync();
            }
        }
    }
}
