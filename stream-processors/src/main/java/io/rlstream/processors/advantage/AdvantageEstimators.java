package io.rlstream.processors.advantage;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Advantage estimators by name, as the {@code advantage.estimator} setting names them. Adding an
 * estimator is one class plus one line here (and its test).
 */
public final class AdvantageEstimators {

    private static final Map<String, Supplier<AdvantageEstimator>> BY_NAME = new TreeMap<>(Map.of(
            Grpo.NAME, Grpo::new));

    private AdvantageEstimators() {
    }

    /** The estimator registered under a name, with its default options. */
    public static AdvantageEstimator byName(String name) {
        Supplier<AdvantageEstimator> factory = BY_NAME.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown advantage estimator '" + name + "'; known: " + names());
        }
        return factory.get();
    }

    /** Registered names, sorted. */
    public static Set<String> names() {
        return BY_NAME.keySet();
    }
}
