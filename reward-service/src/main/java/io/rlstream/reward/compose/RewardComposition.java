package io.rlstream.reward.compose;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reward as a weighted sum of named components (docs/algorithms.md#reward-composition-and-overlong-penalty): {@code total = Σ_k w_k · c_k}
 * over the configured components k, e.g. {@code correctness=1.0,format=0.1,overlong=1.0} for a
 * verifier's score, a format reward and DAPO's {@link OverlongPenalty}.
 *
 * <p>Every configured component must be present and finite: a missing one makes the result failed
 * with a reason, never a silent 0, because a component that could not be computed (a reward model
 * that timed out, a verifier that could not check) is not a score of zero. Components that are not
 * configured are kept in the result, as the record of what was measured, but do not enter the
 * total. A weight of 0 keeps a component required but out of the total. The sum runs in the
 * configured order, so equal inputs give bit-identical totals. Immutable and thread-safe.
 */
public final class RewardComposition {

    /**
     * The composed reward. {@code components} are the values as given, before weighting (what
     * {@code Reward.components} holds); {@code total} is meaningful only when {@code ok}.
     *
     * @param ok         whether every configured component was present and finite
     * @param total      Σ w_k · c_k, or NaN when not ok
     * @param components the components as given, before weighting
     * @param reason     the sum written out when ok, or what was missing when not
     */
    public record Result(boolean ok, double total, Map<String, Double> components, String reason) {

        public Result {
            components = Collections.unmodifiableMap(new LinkedHashMap<>(components));
        }

        static Result failed(Map<String, Double> components, String reason) {
            return new Result(false, Double.NaN, components, reason);
        }
    }

    private static final String EXAMPLE = "correctness=1.0,format=0.1,overlong=1.0";

    private final Map<String, Double> weights;

    /**
     * @param weights component name → weight, in the order the sum runs; at least one; names not
     *                blank, weights finite (negative allowed)
     */
    public RewardComposition(Map<String, Double> weights) {
        if (weights == null || weights.isEmpty()) {
            throw new IllegalArgumentException("a reward composition needs at least one component, e.g. " + EXAMPLE);
        }
        Map<String, Double> copy = new LinkedHashMap<>();
        weights.forEach((name, weight) -> {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("reward component names must not be blank; got weights " + weights);
            }
            if (weight == null || !Double.isFinite(weight)) {
                throw new IllegalArgumentException("weight of reward component '" + name + "' must be a finite number, got "
                        + weight);
            }
            copy.put(name, weight);
        });
        this.weights = Collections.unmodifiableMap(copy);
    }

    /**
     * Parses {@code name=weight,name=weight,...}, e.g. {@code correctness=1.0,format=0.1,overlong=1.0}. Spaces around names and
     * weights are ignored; a name may appear once.
     *
     * @throws IllegalArgumentException naming the entry that is not {@code name=weight}
     */
    public static RewardComposition parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty reward composition; expected name=weight pairs, e.g. " + EXAMPLE);
        }
        Map<String, Double> weights = new LinkedHashMap<>();
        String[] entries = spec.split(",", -1);
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].trim();
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq != entry.lastIndexOf('=')) {
                throw malformed(i, entry, "is not name=weight");
            }
            String name = entry.substring(0, eq).trim();
            String number = entry.substring(eq + 1).trim();
            if (name.isEmpty()) {
                throw malformed(i, entry, "has no component name");
            }
            double weight;
            try {
                weight = Double.parseDouble(number);
            } catch (NumberFormatException e) {
                throw malformed(i, entry, "has weight '" + number + "', which is not a number");
            }
            if (!Double.isFinite(weight)) {
                throw malformed(i, entry, "has weight '" + number + "', which is not finite");
            }
            if (weights.put(name, weight) != null) {
                throw malformed(i, entry, "repeats component '" + name + "'");
            }
        }
        return new RewardComposition(weights);
    }

    private static IllegalArgumentException malformed(int index, String entry, String problem) {
        return new IllegalArgumentException("reward composition entry " + (index + 1) + " '" + entry + "' " + problem
                + "; expected name=weight pairs separated by commas, e.g. " + EXAMPLE);
    }

    /** The configured weights, in summation order. */
    public Map<String, Double> weights() {
        return weights;
    }

    /**
     * @param components measured component values by name, before weighting
     * @return the weighted sum, or a failed result naming the configured components that are
     *         missing or not finite
     */
    public Result combine(Map<String, Double> components) {
        Map<String, Double> given = components == null ? Map.of() : components;
        List<String> missing = new ArrayList<>();
        List<String> notFinite = new ArrayList<>();
        double total = 0.0;
        StringBuilder sum = new StringBuilder();
        for (Map.Entry<String, Double> w : weights.entrySet()) {
            Double c = given.get(w.getKey());
            if (c == null) {
                missing.add(w.getKey());
            } else if (!Double.isFinite(c)) {
                notFinite.add(w.getKey() + "=" + c);
            } else {
                total += w.getValue() * c;
                if (sum.length() > 0) {
                    sum.append(" + ");
                }
                sum.append(w.getValue()).append('·').append(w.getKey()).append('(').append(c).append(')');
            }
        }
        if (!missing.isEmpty() || !notFinite.isEmpty()) {
            StringBuilder reason = new StringBuilder("reward not composed:");
            if (!missing.isEmpty()) {
                reason.append(" missing components ").append(missing);
            }
            if (!notFinite.isEmpty()) {
                reason.append(missing.isEmpty() ? "" : ";").append(" components not finite ").append(notFinite);
            }
            reason.append("; configured ").append(weights.keySet()).append(", got ").append(given.keySet());
            return Result.failed(given, reason.toString());
        }
        return new Result(true, total, given, sum.toString());
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        weights.forEach((k, v) -> s.append(s.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return s.toString();
    }
}
