package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.goim.comet.CometConfig;
import io.goim.job.JobConfig;
import io.goim.libs.grpc.PeerAuth;
import io.goim.logic.LogicConfig;
import io.goim.router.RouterConfig;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The production examples (deploy/conf/production) parse, name only keys that exist in the
 * service's reference.conf (a misspelt key would be silently ignored), are accepted by the
 * service's own config reader, and keep their promise: peer authentication on, internal
 * listeners off the wildcard and loopback addresses.
 */
class ProductionConfigTest {
    /**
     * Sections whose keys are the operator's (ids, Kafka properties), not the reference's.
     * Add a section here when a service gains another map of free keys.
     */
    private static final List<String> FREE_KEYS = List.of("logic.routers", "job.comets", "logic.kafka.properties",
            "job.kafka.properties", "comet.upstream.kafka.properties");

    private static final Map<String, Function<Config, Object>> READERS = Map.of(
            "comet", CometConfig::from, "logic", LogicConfig::from, "job", JobConfig::from, "router", RouterConfig::from);

    @TempDir
    static Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"comet", "logic", "job", "router"})
    void everyKeyExistsInReferenceConf(String service) {
        Config reference = ConfigFactory.parseFile(new File("../" + service + "/src/main/resources/reference.conf"));
        Config example = production(service);
        List<String> unknown = new ArrayList<>();
        for (String path : example.entrySet().stream().map(Map.Entry::getKey).sorted().toList()) {
            if (!reference.hasPath(path) && FREE_KEYS.stream().noneMatch(free -> path.startsWith(free + "."))) {
                unknown.add(path);
            }
        }
        assertEquals(List.of(), unknown, "deploy/conf/production/" + service + ".conf names keys reference.conf lacks");
    }

    @ParameterizedTest
    @ValueSource(strings = {"comet", "logic", "job", "router"})
    void theServiceAcceptsItWithPeerAuthenticationOnAndInternalListenersOnAnInternalAddress(String service)
            throws Exception {
        Config example = production(service);
        String secretFile = service + ".peer-auth.secret-file";
        assertTrue(example.hasPath(secretFile) && !example.getString(secretFile).isEmpty(), "peer-auth on");
        for (String listener : List.of("grpc", "admin")) {
            String host = service + "." + listener + ".host";
            if (example.hasPath(host)) {
                assertTrue(example.getString(host).startsWith("10."), host + " on an internal address");
            }
        }
        // The secret file exists on a real host; here it is a temporary one.
        Path secret = dir.resolve(service + "-secret");
        Files.writeString(secret, "0123456789abcdef0123456789abcdef\n");
        Config config = example.withValue(secretFile, ConfigValueFactory.fromAnyRef(secret.toString()))
                .withFallback(ConfigFactory.parseFile(new File("../" + service + "/src/main/resources/reference.conf")))
                .resolve();
        Object read = READERS.get(service).apply(config);
        PeerAuth auth = (PeerAuth) read.getClass().getMethod("peerAuth").invoke(read);
        assertTrue(auth.hasSecret());
    }

    private static Config production(String service) {
        return ConfigFactory.parseFile(new File("../deploy/conf/production/" + service + ".conf")).resolve();
    }
}
