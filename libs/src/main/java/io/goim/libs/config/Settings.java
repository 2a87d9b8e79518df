package io.goim.libs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Typed, validated reads from one section of a {@link Config}. Every failure names the
 * full path, the value and what was expected, e.g.
 * {@code comet.heartbeat-timeout: 0s (expected: > 0)}.
 *
 * <p>Immutable and thread-safe.
 */
public final class Settings {
    private final Config config;
    private final String prefix;

    private Settings(Config config, String prefix) {
        this.config = config;
        this.prefix = prefix;
    }

    /** The section at {@code path} of {@code root}. */
    public static Settings of(Config root, String path) {
        try {
            return new Settings(root.getConfig(path), path + ".");
        } catch (ConfigException e) {
            throw new InvalidConfigException(path + ": " + e.getMessage());
        }
    }

    /** A nested section. */
    public Settings section(String path) {
        try {
            return new Settings(config.getConfig(path), prefix + path + ".");
        } catch (ConfigException e) {
            throw new InvalidConfigException(prefix + path + ": " + e.getMessage());
        }
    }

    public boolean has(String path) {
        return config.hasPath(path);
    }

    public String string(String path) {
        try {
            return config.getString(path);
        } catch (ConfigException e) {
            throw new InvalidConfigException(prefix + path + ": " + e.getMessage());
        }
    }

    public boolean bool(String path) {
        try {
            return config.getBoolean(path);
        } catch (ConfigException e) {
            throw new InvalidConfigException(prefix + path + ": " + e.getMessage());
        }
    }

    public int integer(String path) {
        try {
            return config.getInt(path);
        } catch (ConfigException e) {
            throw new InvalidConfigException(prefix + path + ": " + e.getMessage());
        }
    }

    /** An int that must be at least {@code min}. */
    public int intAtLeast(String path, int min) {
        int value = integer(path);
        if (value < min) {
            throw invalid(path, Integer.toString(value), ">= " + min);
        }
        return value;
    }

    /** A number such as {@code 0.5} that must be at least {@code min}. */
    public double doubleAtLeast(String path, double min) {
        double value;
        try {
            value = config.getDouble(path);
        } catch (ConfigException e) {
            throw new InvalidConfigException(prefix + path + ": " + e.getMessage());
        }
        if (!(value >= min)) {
            throw invalid(path, Double.toString(value), ">= " + min);
        }
        return value;
    }

    /** A TCP port, 0 (pick a free one) to 65535. */
    public int port(String path) {
        int value = integer(path);
        if (value < 0 || value > 65535) {
            throw invalid(path, Integer.toString(value), "0..65535");
        }
        return value;
    }

    /** A size such as {@code 64KiB}, at least {@code min} bytes. */
    public long bytesAtLeast(String path, long min) {
        long value;
        try {
            value = config.getBytes(path);
        } catch (ConfigException e) {
            throw new InvalidConfigException(prefix + path + ": " + e.getMessage());
        }
        if (value < min) {
            throw invalid(path, value + "B", ">= " + min + "B");
        }
        return value;
    }

    /** A duration such as {@code 5s}, strictly positive. */
    public Duration positiveDuration(String path) {
        Duration value = duration(path);
        if (value.isZero()) {
            throw invalid(path, config.getValue(path).unwrapped().toString(), "> 0");
        }
        return value;
    }

    /** A duration such as {@code 5s}, or zero (where zero means "at once" or "off"; the key's comment says which). */
    public Duration nonNegativeDuration(String path) {
        return duration(path);
    }

    private Duration duration(String path) {
        Duration value;
        try {
            value = config.getDuration(path);
        } catch (ConfigException e) {
            throw new InvalidConfigException(prefix + path + ": " + e.getMessage());
        }
        if (value.isNegative()) {
            throw invalid(path, config.getValue(path).unwrapped().toString(), ">= 0");
        }
        return value;
    }

    /**
     * A section of free-form string settings, e.g. Kafka client properties: each leaf's
     * path (quotes removed, so {@code "linger.ms" = 1} and {@code linger.ms = 1} are the
     * same key) to its value as text. Empty when the section is.
     *
     * <p>The two spellings are two different paths to HOCON: reference.conf writes
     * {@code "max.poll.records" = 500}, and an override {@code ...properties.max.poll.records = 5}
     * (the only way a system property can spell it) adds a nested one beside it rather than
     * replacing it. So when a key is there in both spellings, the one from the source that
     * comes first wins, as for any other setting: a system property, then the config file,
     * then reference.conf; written twice in one source, it is an error.
     */
    public Map<String, Object> stringMap(String path) {
        Map<String, Object> map = new TreeMap<>();
        Map<String, ConfigValue> from = new HashMap<>();
        try {
            for (Map.Entry<String, ConfigValue> e : config.getConfig(path).entrySet()) {
                String key = e.getKey().replace("\"", "");
                ConfigValue other = from.get(key);
                if (other != null) {
                    int rank = precedence(e.getValue());
                    if (rank == precedence(other)) {
                        throw invalid(path + "." + key, String.valueOf(e.getValue().unwrapped()),
                                "one value (it is also set to " + other.unwrapped() + "; quoted and unquoted"
                                + " dotted keys are two settings to HOCON: write it once)");
                    }
                    if (rank < precedence(other)) {
                        continue;
                    }
                }
                from.put(key, e.getValue());
                map.put(key, String.valueOf(e.getValue().unwrapped()));
            }
        } catch (ConfigException e) {
            throw new InvalidConfigException(prefix + path + ": " + e.getMessage());
        }
        return Collections.unmodifiableMap(map);
    }

    /** Where {@code v} comes from, highest first as ConfigLoader stacks them: 2 a system property, 1 a file or map, 0 a reference.conf. */
    private static int precedence(ConfigValue v) {
        String resource = v.origin().resource();
        if (resource != null && resource.endsWith("reference.conf")) {
            return 0;
        }
        return v.origin().description().startsWith("system propert") ? 2 : 1;
    }

    public List<String> strings(String path) {
        try {
            return List.copyOf(config.getStringList(path));
        } catch (ConfigException e) {
            throw new InvalidConfigException(prefix + path + ": " + e.getMessage());
        }
    }

    /**
     * A map from integer ids to addresses, written in config as
     * {@code { "1" = "127.0.0.1:7270", "2" = "10.0.0.2:7270" }}. Must not be empty.
     */
    public Map<Integer, HostPort> idToAddress(String path) {
        return idMap(path, (section, key) -> HostPort.parse(prefix + path + "." + key, section.getString("\"" + key + "\"")));
    }

    /**
     * A map from integer ids to one or more addresses each, written in config as
     * {@code { "1" = "10.0.0.1:8092", "2" = ["10.0.0.2:8092", "10.0.0.3:8092"] }}: a value is
     * one {@code host:port} string or a non-empty list of them. Must not be empty.
     */
    public Map<Integer, List<HostPort>> idToAddresses(String path) {
        return idMap(path, (section, key) -> oneOrMore(prefix + path + "." + key, section, "\"" + key + "\""));
    }

    /** The section at {@code path} as integer id → the value {@code read} makes of each key; not empty. */
    private <V> Map<Integer, V> idMap(String path, java.util.function.BiFunction<Config, String, V> read) {
        Config section;
        try {
            section = config.getConfig(path);
        } catch (ConfigException e) {
            throw new InvalidConfigException(prefix + path + ": " + e.getMessage());
        }
        Map<Integer, V> result = new TreeMap<>();
        for (String key : section.root().keySet()) {
            int id;
            try {
                id = Integer.parseInt(key);
            } catch (NumberFormatException e) {
                throw invalid(path, key, "integer ids as keys");
            }
            result.put(id, read.apply(section, key));
        }
        if (result.isEmpty()) {
            throw invalid(path, "{}", "at least one entry");
        }
        return Collections.unmodifiableMap(result);
    }

    /**
     * One {@code host:port} string or a non-empty list of them, e.g. {@code "10.0.0.1:7170"} or
     * {@code ["10.0.0.1:7170", "10.0.0.2:7170"]}; the single form reads as a list of one.
     */
    public List<HostPort> oneOrMoreAddresses(String path) {
        if (!config.hasPath(path)) {
            throw new InvalidConfigException(prefix + path + ": missing (expected: \"host:port\" or a list of them)");
        }
        return oneOrMore(prefix + path, config, path);
    }

    private static List<HostPort> oneOrMore(String what, Config config, String path) {
        ConfigValue value;
        try {
            value = config.getValue(path);
        } catch (ConfigException e) {
            throw new InvalidConfigException(what + ": " + e.getMessage());
        }
        if (value.valueType() == ConfigValueType.STRING) {
            String s = (String) value.unwrapped();
            if (s.indexOf(',') >= 0) {
                throw new InvalidConfigException(what + ": " + s + " (expected: one \"host:port\", or a list of them: [\"h1:p1\", \"h2:p2\"])");
            }
            return List.of(HostPort.parse(what, s));
        }
        List<String> strings;
        try {
            // Also reads an object with keys 0, 1, ... (how system properties give a list).
            strings = config.getStringList(path);
        } catch (ConfigException e) {
            throw new InvalidConfigException(what + ": " + value.render(ConfigRenderOptions.concise())
                    + " (expected: \"host:port\" or a list of them)");
        }
        List<HostPort> result = new ArrayList<>();
        for (String s : strings) {
            HostPort address = HostPort.parse(what, s);
            if (result.contains(address)) {
                throw new InvalidConfigException(what + ": " + s + " (expected: each address once)");
            }
            result.add(address);
        }
        if (result.isEmpty()) {
            throw new InvalidConfigException(what + ": [] (expected: at least one address)");
        }
        return List.copyOf(result);
    }

    /** A list of {@code host:port} strings; must not be empty. */
    public List<HostPort> addresses(String path) {
        List<HostPort> result = new ArrayList<>();
        for (String s : strings(path)) {
            result.add(HostPort.parse(prefix + path, s));
        }
        if (result.isEmpty()) {
            throw invalid(path, "[]", "at least one address");
        }
        return List.copyOf(result);
    }

    /** An {@link InvalidConfigException} for {@code path} in this section. */
    public InvalidConfigException invalid(String path, String value, String expected) {
        return new InvalidConfigException(prefix + path + ": " + value + " (expected: " + expected + ")");
    }
}
