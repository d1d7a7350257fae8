package io.rlstream.trainer.core;

import io.rlstream.algorithm.AlgorithmFamily;

/**
 * How a policy loss turns its per-token losses into one number, by name, as
 * {@code trainer.loss.aggregation} names them; each is a {@link PolicyLoss.Aggregation}. Adding one
 * is a constant there plus one line here (and its test).
 */
public final class LossAggregations {

    /** Every aggregation; ℓ_t the masked per-token loss, |o_i| the length of response i, B responses. */
    public static final AlgorithmFamily<Void, PolicyLoss.Aggregation> FAMILY =
            AlgorithmFamily.<Void, PolicyLoss.Aggregation>builder("loss aggregations", "trainer.loss.aggregation",
                            "turn the per-token losses of a batch into one number", "loss-aggregations")
                    .add("token-mean", "sum_t l_t / sum_i |o_i|", "Yu et al. 2025 (DAPO), arXiv 2503.14476",
                            PolicyLoss.Aggregation.class, o -> PolicyLoss.Aggregation.TOKEN_MEAN)
                    .add("seq-mean-token-mean", "(1/B) sum_i (sum_t l_it / |o_i|)",
                            "Shao et al. 2024 (GRPO), arXiv 2402.03300", PolicyLoss.Aggregation.class,
                            o -> PolicyLoss.Aggregation.SEQ_MEAN_TOKEN_MEAN)
                    .add("seq-mean-token-sum-norm", "sum_t l_t / (B * L), L the generation limit (trainer.loss.max-length)",
                            "Liu et al. 2025 (Dr. GRPO), arXiv 2503.20783", PolicyLoss.Aggregation.class,
                            o -> PolicyLoss.Aggregation.SEQ_MEAN_TOKEN_SUM_NORM)
                    .build();

    private LossAggregations() {
    }
}
