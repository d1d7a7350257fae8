package io.rlstream.algorithm;

import java.util.function.Function;

/**
 * One named algorithm of a family: what a setting calls it, its formula in one line, where it
 * comes from, the class that implements it, and how to build it from the family's options.
 *
 * @param name           the value a setting takes to choose it, e.g. {@code grpo}
 * @param formula        one line of math readable in a terminal, e.g. {@code (r_i - mean_g) / (std_g + eps)}
 * @param paper          the source, e.g. {@code Shao et al. 2024, arXiv 2402.03300} or {@code verl compute_policy_loss}
 * @param implementation the class a reader opens to see the code
 * @param factory        builds the algorithm from the family's options
 * @param <O>            the options every entry of the family is built from
 * @param <T>            what the family's entries are (an interface such as {@code AdvantageEstimator})
 */
public record Algorithm<O, T>(String name, String formula, String paper, Class<?> implementation,
        Function<O, T> factory) {

    public Algorithm {
        if (name == null || name.isBlank() || !name.equals(name.trim())) {
            throw new IllegalArgumentException("an algorithm needs a name without surrounding blanks, got '" + name + "'");
        }
        if (formula == null || formula.isBlank() || formula.contains("\n")) {
            throw new IllegalArgumentException("algorithm '" + name + "' needs a one-line formula, got '" + formula + "'");
        }
        if (paper == null || paper.isBlank()) {
            throw new IllegalArgumentException("algorithm '" + name + "' needs its source (a paper or a reference code)");
        }
        if (implementation == null || factory == null) {
            throw new IllegalArgumentException("algorithm '" + name + "' needs its class and its factory");
        }
    }

    /** Builds it from the family's options. */
    public T create(O options) {
        return factory.apply(options);
    }
}
