package io.goim.libs.config;

/** A configuration value a service cannot start with. Raised at start, never later. */
public final class InvalidConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidConfigException(String message) {
        super(message);
    }
}
