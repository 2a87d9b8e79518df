package io.goim.libs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.io.File;

/**
 * Loads a service's configuration. Precedence, highest first:
 * <ol>
 *   <li>JVM system properties ({@code -Dcomet.server-id=2});</li>
 *   <li>the file named by the only command-line argument, if any;</li>
 *   <li>every {@code reference.conf} on the classpath (each service ships one with
 *       every default).</li>
 * </ol>
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /** Loads from the command line of a service's {@code main}. */
    public static Config load(String[] args) {
        if (args.length > 1) {
            throw new InvalidConfigException("expected at most one argument, a config file; got " + args.length);
        }
        Config file = ConfigFactory.empty();
        if (args.length == 1) {
            File f = new File(args[0]);
            if (!f.isFile()) {
                throw new InvalidConfigException("config file " + args[0] + " does not exist");
            }
            file = ConfigFactory.parseFile(f, ConfigParseOptions.defaults().setAllowMissing(false));
        }
        return withDefaults(file);
    }

    /** Layers system properties over {@code overrides} over the reference defaults. */
    public static Config withDefaults(Config overrides) {
        ConfigFactory.invalidateCaches();
        return ConfigFactory.systemProperties()
                .withFallback(overrides)
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
    }
}
