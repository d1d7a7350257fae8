package io.rlstream.processors.filtration;

import java.util.function.IntUnaryOperator;

/** Best and worst of a group's rewards with the tie-breaking every strategy here shares. */
final class Extremes {

    private Extremes() {
    }

    /** Rejects NaN: it is neither better nor worse than anything, so no ranking could place it. */
    static void requireNoNaN(double[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (Double.isNaN(values[i])) {
                throw new IllegalArgumentException(what + " " + i + " is NaN; expected a number"
                        + " (leave failed samples out before filtering)");
            }
        }
    }

    /** Lowest index among the maximum values; −1 for an empty array. */
    static int best(double[] values) {
        int best = values.length == 0 ? -1 : 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Lowest index among the minimum values other than {@code except}; −1 when none is left. */
    static int worstExcept(double[] values, int except) {
        int worst = -1;
        for (int i = 0; i < values.length; i++) {
            if (i != except && (worst < 0 || values[i] < values[worst])) {
                worst = i;
            }
        }
        return worst;
    }

    /**
     * What the strategies that keep the best response and one more share: NaN rejected, an empty
     * group keeps nothing and a group of one keeps {0}, else {best, other(best)} in ascending order.
     */
    static int[] bestAndOther(double[] rewards, IntUnaryOperator other) {
        requireNoNaN(rewards, "reward");
        int g = rewards.length;
        if (g < 2) {
            return g == 0 ? new int[0] : new int[] {0};
        }
        int best = best(rewards);
        return sorted(best, other.applyAsInt(best));
    }

    /** {a, b} in ascending order. */
    static int[] sorted(int a, int b) {
        return a < b ? new int[] {a, b} : new int[] {b, a};
    }
}
