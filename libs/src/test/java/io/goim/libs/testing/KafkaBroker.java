package io.goim.libs.testing;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka broker (combined broker and controller) running inside
 * the test JVM on a free port. Starts in a second or two; no Docker needed.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaBroker.class);
    private static final String SERVER_PROPERTIES = "/io/goim/libs/testing/kafka/server.properties";
    private final KafkaClusterTestKit kit;

    private KafkaBroker(KafkaClusterTestKit kit) {
        this.kit = kit;
    }

    /** Formats and starts a broker, waiting until it accepts clients. */
    public static KafkaBroker start() throws Exception {
        keepTestJvmAlive();
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        sharedSettings().forEach(builder::setConfigProp);
        KafkaClusterTestKit kit = builder.build();
        try {
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
        } catch (Exception e) {
            kit.close();
            throw e;
        }
        return new KafkaBroker(kit);
    }

    /**
     * The group, offsets-topic and transaction-log settings of the local cluster's broker
     * (deploy/kafka/server.properties, copied onto the test classpath by libs' pom), so
     * that a group joins here exactly as it does there. Listeners, node ids and paths are
     * the test kit's own.
     */
    static Map<String, String> sharedSettings() throws IOException {
        Properties p = new Properties();
        try (InputStream in = KafkaBroker.class.getResourceAsStream(SERVER_PROPERTIES)) {
            if (in == null) {
                throw new IllegalStateException(SERVER_PROPERTIES + " is not on the test classpath (see libs/pom.xml)");
            }
            p.load(in);
        }
        Map<String, String> shared = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("group.") || key.startsWith("offsets.topic.") || key.startsWith("transaction.state.log.")
                    || key.equals("auto.create.topics.enable")) {
                shared.put(key, p.getProperty(key).trim());
            }
        }
        return shared;
    }

    /**
     * A broker that hits a fatal fault (typically while being shut down on a loaded
     * machine) calls Kafka's Exit.halt, which would end the whole test JVM and turn a green
     * run into a crashed fork. As Kafka's own tests do, such a request is logged instead.
     */
    private static void keepTestJvmAlive() {
        Exit.setExitProcedure((code, message) -> log.warn("in-process Kafka asked to exit({}): {}", code, message,
                new IllegalStateException("exit requested")));
        Exit.setHaltProcedure((code, message) -> log.warn("in-process Kafka asked to halt({}): {}", code, message,
                new IllegalStateException("halt requested")));
    }

    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    /** Creates a topic and waits until it exists. */
    public void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        }
    }

    @Override
    public void close() throws Exception {
        kit.close();
    }
}
