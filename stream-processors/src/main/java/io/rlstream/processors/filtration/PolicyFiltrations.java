package io.rlstream.processors.filtration;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * PF-PPO filtration strategies by name (arXiv 2409.06957). Adding one is one class plus one line
 * here (and its test).
 *
 * <table>
 *   <caption>Strategies</caption>
 *   <tr><th>name</th><th>keeps</th></tr>
 *   <tr><td>{@code none}</td><td>every sample</td></tr>
 *   <tr><td>{@code best-of-n}</td><td>the best (BoN)</td></tr>
 *   <tr><td>{@code best-random}</td><td>the best and one uniformly random other (BR)</td></tr>
 *   <tr><td>{@code best-worst}</td><td>the best and the worst (BW)</td></tr>
 * </table>
 */
public final class PolicyFiltrations {

    // Insertion order is the documented order of names(): reports list strategies in it.
    private static final Map<String, Supplier<PolicyFiltration>> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put(KeepAll.NAME, KeepAll::new);
        BY_NAME.put(BestOfN.NAME, BestOfN::new);
        BY_NAME.put(BestRandom.NAME, BestRandom::new);
        BY_NAME.put(BestWorst.NAME, BestWorst::new);
    }

    private static final Set<String> NAMES = Collections.unmodifiableSet(BY_NAME.keySet());

    private PolicyFiltrations() {
    }

    /**
     * The strategy registered under a name.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static PolicyFiltration byName(String name) {
        Supplier<PolicyFiltration> factory = BY_NAME.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown policy filtration '" + name + "'; known: " + NAMES);
        }
        return factory.get();
    }

    /** Registered names in a fixed order: none, best-of-n, best-random, best-worst. */
    public static Set<String> names() {
        return NAMES;
    }
}
