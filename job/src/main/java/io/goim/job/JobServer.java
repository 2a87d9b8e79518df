package io.goim.job;

import com.typesafe.config.Config;
import io.goim.libs.lifecycle.ServiceMain;
import io.goim.libs.lifecycle.ShutdownSequence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job service: consumes the push topic and fans records out to comets.
 * {@link #main} is the jar's entry point; tests call {@link #start} and {@link #close}.
 */
public final class JobServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobServer.class);

    private final ShutdownSequence shutdown = new ShutdownSequence("job");
    private final JobCounters counters = new JobCounters();

    private JobServer(JobConfig config) {
        Comets comets = new Comets(config.comets(), config.cometTimeout(), config.cometAttempts());
        PushConsumer consumer = new PushConsumer(config, new Dispatcher(comets, counters));
        consumer.start();
        shutdown.then("kafka consumer", consumer::close)
                .then("comet clients", comets::close);
        log.info("job consuming {} from {} as group {}, comets {}", config.topic(), config.kafkaBootstrap(),
                config.groupId(), config.comets());
    }

    public static JobServer start(Config config) {
        return new JobServer(JobConfig.from(config));
    }

    public static void main(String[] args) {
        ServiceMain.run("job", args, JobServer::start);
    }

    public JobCounters counters() {
        return counters;
    }

    @Override
    public void close() throws Exception {
        shutdown.close();
    }
}
