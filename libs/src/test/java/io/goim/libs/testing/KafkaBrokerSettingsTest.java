package io.goim.libs.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The in-process broker joins groups as the local cluster's broker does: same settings, one file. */
class KafkaBrokerSettingsTest {
    @Test
    void theTestBrokerTakesTheLocalClustersGroupSettings() throws Exception {
        Map<String, String> shared = KafkaBroker.sharedSettings();
        assertEquals("4", shared.get("offsets.topic.num.partitions"), "a fast first group join: few offsets partitions");
        assertEquals("0", shared.get("group.initial.rebalance.delay.ms"));
        assertEquals("1", shared.get("offsets.topic.replication.factor"));
        assertEquals("false", shared.get("auto.create.topics.enable"));
    }
}
