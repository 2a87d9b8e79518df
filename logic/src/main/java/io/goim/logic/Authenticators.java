package io.goim.logic;

import io.goim.libs.config.InvalidConfigException;

/**
 * Picks the {@link Authenticator} named by {@code logic.auth.class}, so a deployment
 * plugs in its own token check by putting a jar on the classpath and naming the class,
 * without recompiling logic. An empty name selects goim's {@link DefaultAuthenticator}.
 *
 * <p>The named class must implement {@link Authenticator} and have a public constructor
 * taking either the {@link LogicConfig} (to read {@code logic.auth.allow-anonymous} or
 * the like) or nothing; the first one found is used.
 */
final class Authenticators {
    private Authenticators() {
    }

    /** The configured authenticator; an unusable class name is an {@link InvalidConfigException}. */
    static Authenticator create(LogicConfig config) {
        String name = config.authClass();
        if (name.isEmpty()) {
            return new DefaultAuthenticator(config.allowAnonymous());
        }
        Class<? extends Authenticator> type;
        try {
            type = Class.forName(name, true, Authenticators.class.getClassLoader()).asSubclass(Authenticator.class);
        } catch (ClassNotFoundException e) {
            throw invalid(name, "no such class on the classpath");
        } catch (ClassCastException e) {
            throw invalid(name, "it does not implement " + Authenticator.class.getName());
        }
        try {
            return type.getConstructor(LogicConfig.class).newInstance(config);
        } catch (NoSuchMethodException e) {
            // fall through to the no-argument constructor
        } catch (ReflectiveOperationException e) {
            throw invalid(name, "its constructor failed: " + cause(e));
        }
        try {
            return type.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw invalid(name, "it has no public constructor taking LogicConfig or nothing");
        } catch (ReflectiveOperationException e) {
            throw invalid(name, "its constructor failed: " + cause(e));
        }
    }

    private static String cause(ReflectiveOperationException e) {
        return String.valueOf(e.getCause() != null ? e.getCause() : e);
    }

    private static InvalidConfigException invalid(String name, String why) {
        return new InvalidConfigException("logic.auth.class: " + name + " (expected: a public class implementing "
                + Authenticator.class.getName() + "): " + why);
    }
}
