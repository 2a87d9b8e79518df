package io.goim.e2e.badinput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.goim.client.GoimClient;
import io.goim.e2e.ClientRecorder;
import io.goim.e2e.ClusterTest;
import io.goim.e2e.LocalCluster;
import io.goim.protocol.Op;
import io.goim.libs.testing.AdminScrape;
import io.goim.proto.PushMsg;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A Kafka record cannot speak for the server: records written straight to the push topic
 * (not through logic) whose {@code operation} is a control operation — op 6 would
 * disconnect every client, op 8 fake a login — reach the client as ordinary pushes (op 5),
 * the client stays logged in, and job counts each replaced operation.
 */
@ClusterTest
class KafkaRecordBadInputTest {
    @Test
    void recordsWithControlOperationsReachTheClientAsPushes(LocalCluster.Builder newCluster) throws Exception {
        try (LocalCluster cluster = newCluster.start()) {
            ClientRecorder rec = new ClientRecorder();
            // goim's default authenticator: the token is the user id, in room 1.
            try (GoimClient client = GoimClient.tcp("127.0.0.1", cluster.comet.tcpPort()).token("8101")
                    .listener(rec).build();
                    KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafka.bootstrapServers(),
                            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
                client.start().get(10, TimeUnit.SECONDS);
                producer.send(new ProducerRecord<>(cluster.topic, "all", PushMsg.newBuilder()
                        .setType(PushMsg.Type.BROADCAST).setOperation(Op.DISCONNECT_REPLY)
                        .setMsg(ByteString.copyFromUtf8("{\"kick\":1}")).build().toByteArray())).get(10, TimeUnit.SECONDS);
                assertEquals("5:{\"kick\":1}", rec.pushes.poll(15, TimeUnit.SECONDS), "op 6 arrives as a push");
                producer.send(new ProducerRecord<>(cluster.topic, "1", PushMsg.newBuilder()
                        .setType(PushMsg.Type.BROADCAST_ROOM).setRoomId(1).setOperation(Op.AUTH_REPLY)
                        .setMsg(ByteString.copyFromUtf8("{\"login\":1}")).build().toByteArray())).get(10, TimeUnit.SECONDS);
                assertEquals("5:{\"login\":1}", rec.pushes.poll(15, TimeUnit.SECONDS), "op 8 arrives as a push");

                assertTrue(client.isAuthenticated());
                assertEquals(0, rec.disconnects.get(), "nobody was disconnected");
                AdminScrape.Metrics m = AdminScrape.metrics(cluster.job.adminPort());
                assertEquals(1.0, m.value("goim_job_record_operations_replaced_total", "op", "disconnect_reply"));
                assertEquals(1.0, m.value("goim_job_record_operations_replaced_total", "op", "auth_reply"));

                // A good push through logic still arrives.
                assertEquals("{\"ret\":1}", cluster.post("/1/push?uid=8101", "{\"good\":1}").body());
                assertEquals("5:{\"good\":1}", rec.pushes.poll(15, TimeUnit.SECONDS));
            }
        }
    }
}
