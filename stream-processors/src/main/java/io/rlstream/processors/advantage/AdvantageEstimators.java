package io.rlstream.processors.advantage;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Advantage estimators by name, as the {@code advantage.estimator} setting names them. Adding an
 * estimator is one class plus one line here (and its test).
 */
public final class AdvantageEstimators {

    /** How to build one estimator from the options, and its formula in one line (ASCII, for terminals). */
    private record Entry(Function<AdvantageOptions, AdvantageEstimator> factory, String formula) {
    }

    private static final Map<String, Entry> BY_NAME = new TreeMap<>(Map.of(
            Grpo.NAME, new Entry(o -> new Grpo(o.std(), o.epsilon()), Grpo.FORMULA),
            GrpoBatchStd.NAME, new Entry(o -> new GrpoBatchStd(o.std(), o.epsilon()), GrpoBatchStd.FORMULA),
            DrGrpo.NAME, new Entry(o -> new DrGrpo(), DrGrpo.FORMULA),
            Rloo.NAME, new Entry(o -> new Rloo(), Rloo.FORMULA),
            ReinforcePlusPlusBaseline.NAME, new Entry(o -> new ReinforcePlusPlusBaseline(), ReinforcePlusPlusBaseline.FORMULA),
            Opo.NAME, new Entry(o -> new Opo(), Opo.FORMULA)));

    private AdvantageEstimators() {
    }

    /** The estimator registered under a name, with its default options. */
    public static AdvantageEstimator byName(String name) {
        return create(name, AdvantageOptions.defaults());
    }

    /**
     * The estimator registered under a name, configured with {@code options} (std and ε apply to
     * grpo and grpo-batch-std; the others have none and ignore them).
     */
    public static AdvantageEstimator create(String name, AdvantageOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("advantage options are required; use AdvantageOptions.defaults()");
        }
        return entry(name).factory().apply(options);
    }

    /** The estimator's formula in one line, e.g. {@code r_i - mean_g} for drgrpo. */
    public static String formula(String name) {
        return entry(name).formula();
    }

    /** Registered names, sorted. */
    public static Set<String> names() {
        return Collections.unmodifiableSet(BY_NAME.keySet());
    }

    private static Entry entry(String name) {
        Entry entry = name == null ? null : BY_NAME.get(name);
        if (entry == null) {
            throw new IllegalArgumentException("unknown advantage estimator '" + name + "'; known: " + names());
        }
        return entry;
    }
}
