package io.rlstream.processors.curriculum.query;

import io.rlstream.events.PromptSelection;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Orders the selector's views of prompts for {@code rlstream prompts top}. Pure: no Kafka, so the
 * orders are tested with numbers; {@link SelectionStore} feeds it what its state store holds.
 *
 * <p>Every order breaks ties by prompt_id, so two queries of the same state list the same prompts
 * in the same order. A missing value (null, or NaN, which is no better an estimate) ranks after
 * every present one instead of being read as 0, which would put unseen prompts among the hardest.
 */
public final class SelectionRanking {

    /** How {@code top} ranks prompts; {@link #wireName()} is its name in the HTTP query and the command. */
    public enum Order {
        /** Most dispatched groups first: where the selector spends generation. */
        SELECTED("most dispatched groups first"),
        /** Highest estimated pass rate first (the latest group's mean reward), unseen prompts last. */
        ESTIMATE("highest estimated pass rate first, unseen last"),
        /** Highest value-model prediction V(x) first, prompts without one last. */
        PREDICTION("highest predicted V(x) first, none last"),
        /**
         * Smallest distance to the target pass rate τ first: |V(x) − τ|, or |estimate − τ| where the
         * prompt has no prediction, prompts with neither last. This is the order PCL dispatches in
         * (docs/algorithms.md#prompt-selectors, arXiv 2510.01135: the m prompts with the smallest |V(x) − τ|, τ = 0.5),
         * so the head of the list is what it would choose next.
         */
        CLOSENESS("closest to the target pass rate tau first: |V(x) - tau|, else |estimate - tau|"),
        /** Newest view first (updated_at): what the selector touched last. */
        RECENT("most recently updated first");

        private final String meaning;

        Order(String meaning) {
            this.meaning = meaning;
        }

        /** The lower-case name used by {@code ?by=} and {@code --by}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** One line on what the order puts first. */
        public String meaning() {
            return meaning;
        }

        /** The order named {@code name} (case-insensitive); the message lists the valid names. */
        public static Order byWireName(String name) {
            for (Order order : values()) {
                if (order.wireName().equalsIgnoreCase(name.trim())) {
                    return order;
                }
            }
            throw new IllegalArgumentException("unknown order '" + name + "'; valid: " + wireNames());
        }

        /** The valid names, comma separated, for messages. */
        public static String wireNames() {
            return Arrays.stream(values()).map(Order::wireName).collect(Collectors.joining(", "));
        }
    }

    private static final Comparator<PromptSelection> BY_PROMPT_ID = Comparator.comparing(PromptSelection::getPromptId);

    private SelectionRanking() {
    }

    /**
     * The first {@code n} of {@code prompts} under {@code order}.
     *
     * @param tau target pass rate of {@link Order#CLOSENESS}; ignored by the other orders
     */
    public static List<PromptSelection> top(Collection<PromptSelection> prompts, int n, Order order, double tau) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        // A full sort: a prompt pool is thousands of views, and a query is a person at a terminal.
        return prompts.stream().sorted(comparator(order, tau)).limit(n).toList();
    }

    /** The comparator of {@code order}, ties broken by prompt_id. */
    public static Comparator<PromptSelection> comparator(Order order, double tau) {
        Comparator<PromptSelection> first = switch (order) {
            case SELECTED -> Comparator.comparingLong(PromptSelection::getSelected).reversed();
            case ESTIMATE -> highestFirst(p -> present(p.getEstimate()));
            case PREDICTION -> highestFirst(p -> present(p.getPrediction()));
            case CLOSENESS -> Comparator.comparing(p -> distanceToTarget(p, tau), Comparator.nullsLast(Comparator.naturalOrder()));
            case RECENT -> Comparator.comparing(PromptSelection::getUpdatedAt, Comparator.nullsLast(Comparator.reverseOrder()));
        };
        return first.thenComparing(BY_PROMPT_ID);
    }

    /**
     * What {@link Order#CLOSENESS} ranks by: |V(x) − τ|, else |estimate − τ|, else null. The
     * estimate stands in for a missing prediction so that the order is useful for the selectors
     * without a value model too (pass-rate window and difficulty pools aim at τ through it).
     */
    public static Double distanceToTarget(PromptSelection p, double tau) {
        Double prediction = present(p.getPrediction());
        if (prediction != null) {
            return Math.abs(prediction - tau);
        }
        Double estimate = present(p.getEstimate());
        return estimate == null ? null : Math.abs(estimate - tau);
    }

    private static Comparator<PromptSelection> highestFirst(Function<PromptSelection, Double> value) {
        return Comparator.comparing(value, Comparator.nullsLast(Comparator.reverseOrder()));
    }

    private static Double present(Double value) {
        return value == null || value.isNaN() ? null : value;
    }
}
