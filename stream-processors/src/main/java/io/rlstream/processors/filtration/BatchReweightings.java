package io.rlstream.processors.filtration;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * verl's PF-PPO reweighting methods by name, spelled as verl's {@code pf_ppo.reweight_method}:
 * {@code pow} (power 2), {@code max_min}, {@code max_random}.
 *
 * <p>There is no {@code none}: not reweighting means not resampling, which a caller expresses by
 * skipping this stage (verl: {@code use_pf_ppo=False}), not by a reweighting that draws a random
 * batch with replacement. Callers that accept "none" in their settings check for it before
 * calling {@link #byName}, which refuses it like any unknown name.
 */
public final class BatchReweightings {

    // Insertion order is the order of names().
    private static final Map<String, Supplier<BatchReweighting>> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put(PowReweighting.NAME, PowReweighting::new);
        BY_NAME.put(MaxMinReweighting.NAME, MaxMinReweighting::new);
        BY_NAME.put(MaxRandomReweighting.NAME, MaxRandomReweighting::new);
    }

    private static final Set<String> NAMES = Collections.unmodifiableSet(BY_NAME.keySet());

    private BatchReweightings() {
    }

    /**
     * The reweighting registered under a name, with verl's defaults ({@code pow}: power 2; for
     * another power construct {@link PowReweighting} directly).
     *
     * @throws IllegalArgumentException for an unknown name (including "none"), listing the known ones
     */
    public static BatchReweighting byName(String name) {
        Supplier<BatchReweighting> factory = BY_NAME.get(name);
        if (factory == null) {
            String hint = "none".equals(name) ? " (to not reweight, skip the resampling stage)" : "";
            throw new IllegalArgumentException("unknown batch reweighting '" + name + "'; known: " + NAMES + hint);
        }
        return factory.get();
    }

    /** Registered names in a fixed order: pow, max_min, max_random. */
    public static Set<String> names() {
        return NAMES;
    }
}
