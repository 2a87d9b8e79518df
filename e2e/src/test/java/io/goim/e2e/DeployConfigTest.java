package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The example configs ops copy (deploy/conf) must list every key with today's default. */
class DeployConfigTest {
    @ParameterizedTest
    @ValueSource(strings = {"comet", "logic", "job", "router"})
    void exampleConfigHasEveryKeyWithItsDefault(String service) {
        Config reference = ConfigFactory.parseFile(new File("../" + service + "/src/main/resources/reference.conf"));
        Config example = ConfigFactory.parseFile(new File("../deploy/conf/" + service + ".conf"));
        assertEquals(reference.root().unwrapped(), example.root().unwrapped(),
                "deploy/conf/" + service + ".conf differs from " + service
                        + "'s reference.conf: run deploy/conf/generate.sh");
    }
}
