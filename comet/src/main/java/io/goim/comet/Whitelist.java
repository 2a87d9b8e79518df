package io.goim.comet;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * goim's debugging aid: connections whose subKey starts with a configured prefix have
 * every step of their life (auth, register, push, heartbeat, close, disconnect) logged
 * to the separate logger {@code goim.whitelist}, so one user can be followed in
 * production without raising the log level for everyone. The prefixes can be replaced
 * at run time ({@link #replace}, on SIGHUP).
 *
 * <p>Thread-safe; the check is one volatile read when the list is empty.
 */
public final class Whitelist {
    static final Logger LOG = LoggerFactory.getLogger("goim.whitelist");

    private volatile List<String> prefixes;

    public Whitelist(List<String> prefixes) {
        this.prefixes = List.copyOf(prefixes);
    }

    List<String> prefixes() {
        return prefixes;
    }

    void replace(List<String> newPrefixes) {
        prefixes = List.copyOf(newPrefixes);
    }

    boolean contains(String key) {
        List<String> p = prefixes;
        if (p.isEmpty() || key == null) {
            return false;
        }
        for (String prefix : p) {
            if (key.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    public void log(String key, String format, Object arg) {
        if (contains(key)) {
            LOG.info("[" + key + "] " + format, arg);
        }
    }

    public void log(String key, String format, Object arg1, Object arg2) {
        if (contains(key)) {
            LOG.info("[" + key + "] " + format, arg1, arg2);
        }
    }
}
