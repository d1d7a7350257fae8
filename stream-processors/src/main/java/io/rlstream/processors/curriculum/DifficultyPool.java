package io.rlstream.processors.curriculum;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One difficulty pool: the prompts whose estimated pass rate is at most {@code upper} (and above
 * the previous pool's bound), drawn from with relative weight {@code weight}.
 */
public record DifficultyPool(String name, double upper, double weight) {

    /** prime-rl's pools (docs/algorithms.md#prompt-selectors): hard p ≤ 0.25 weight 0.2, normal p ≤ 0.75 weight 1, easy weight 0.05. */
    public static final String DEFAULTS = "hard=0.25:0.2,normal=0.75:1.0,easy=1.0:0.05";

    public DifficultyPool {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a difficulty pool needs a name");
        }
        if (!(upper >= 0 && upper <= 1)) {
            throw new IllegalArgumentException("pool '" + name + "': upper bound must be in [0, 1], got " + upper);
        }
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("pool '" + name + "': weight must be a finite number >= 0, got " + weight);
        }
    }

    /**
     * Parses {@code name=upper:weight,...}, e.g. {@value #DEFAULTS}. Bounds must rise strictly and
     * the last must be 1, so every pass rate falls in exactly one pool; at least one weight must be
     * positive.
     */
    public static List<DifficultyPool> parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("no difficulty pools given; expected name=upper:weight,... e.g. " + DEFAULTS);
        }
        List<DifficultyPool> pools = new ArrayList<>();
        for (String part : spec.split(",")) {
            String item = part.trim();
            int eq = item.indexOf('=');
            int colon = item.indexOf(':', Math.max(eq, 0));
            if (eq <= 0 || colon < 0) {
                throw new IllegalArgumentException("difficulty pool '" + item + "' is not name=upper:weight (e.g. hard=0.25:0.2)");
            }
            double upper;
            double weight;
            try {
                upper = Double.parseDouble(item.substring(eq + 1, colon).trim());
                weight = Double.parseDouble(item.substring(colon + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("difficulty pool '" + item + "': upper and weight must be numbers");
            }
            DifficultyPool pool = new DifficultyPool(item.substring(0, eq).trim().toLowerCase(Locale.ROOT), upper, weight);
            if (!pools.isEmpty() && pool.upper() <= pools.get(pools.size() - 1).upper()) {
                throw new IllegalArgumentException("difficulty pool bounds must rise: '" + pool.name() + "' has upper "
                        + upper + " after " + pools.get(pools.size() - 1).upper());
            }
            if (pools.stream().anyMatch(p -> p.name().equals(pool.name()))) {
                throw new IllegalArgumentException("difficulty pool '" + pool.name() + "' is named twice");
            }
            pools.add(pool);
        }
        if (pools.get(pools.size() - 1).upper() != 1.0) {
            throw new IllegalArgumentException("the last difficulty pool must have upper bound 1 so every pass rate has a pool; got "
                    + pools.get(pools.size() - 1).upper());
        }
        if (pools.stream().noneMatch(p -> p.weight() > 0)) {
            throw new IllegalArgumentException("at least one difficulty pool needs a positive weight");
        }
        return List.copyOf(pools);
    }

    /** Index of the pool a pass rate falls in. */
    static int indexOf(List<DifficultyPool> pools, double passRate) {
        for (int i = 0; i < pools.size(); i++) {
            if (passRate <= pools.get(i).upper()) {
                return i;
            }
        }
        return pools.size() - 1;
    }
}
