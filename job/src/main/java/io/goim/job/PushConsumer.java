package io.goim.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer loop, on its own thread: poll, hand every record to the
 * {@link Dispatcher}, wait until every record of the poll was handed to its comets (or
 * given up and counted), then commit. An offset is therefore committed only after the
 * records before it were dealt with: at-least-once. {@link #close} wakes the loop up and
 * waits for it to finish its batch.
 */
final class PushConsumer implements Runnable, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PushConsumer.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Duration pollTimeout;
    private final Dispatcher dispatcher;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closing;
    private Thread thread;

    PushConsumer(JobConfig config, Dispatcher dispatcher) {
        Map<String, Object> props = new HashMap<>(config.kafkaProperties());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "goim-job");
        this.consumer = new KafkaConsumer<>(props);
        this.topic = config.topic();
        this.pollTimeout = config.pollTimeout();
        this.dispatcher = dispatcher;
    }

    void start() {
        thread = new Thread(this, "job-consumer");
        thread.start();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic));
            while (!closing) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
                if (records.isEmpty()) {
                    continue;
                }
                List<CompletableFuture<Void>> handed = new ArrayList<>(records.count());
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    handed.add(dispatcher.dispatch(r.value(), r.topic() + "-" + r.partition() + "@" + r.offset()));
                }
                CompletableFuture.allOf(handed.toArray(CompletableFuture[]::new)).join();
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            if (!closing) {
                throw e;
            }
        } catch (RuntimeException e) {
            log.error("consumer loop failed", e);
        } finally {
            consumer.close();
            stopped.countDown();
        }
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        consumer.wakeup();
        if (thread != null) {
            stopped.await();
        }
    }
}
