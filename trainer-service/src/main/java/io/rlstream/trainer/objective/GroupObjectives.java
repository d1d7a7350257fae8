package io.rlstream.trainer.objective;

import io.rlstream.algorithm.AlgorithmFamily;
import ai.djl.ndarray.NDArray;
import java.util.function.BinaryOperator;

/**
 * The group objectives by name, as {@code trainer.group.objective} names them
 * (docs/algorithms.md#group-objectives). Adding one is its class plus one line here (and its test).
 */
public final class GroupObjectives {

    /**
     * @param beta β &gt; 0 of LiPO-λ's implicit reward β·log(π/π_ref) ({@code trainer.preference.beta})
     * @param scoreLow reward that NFT maps to 0 (incorrect)
     * @param scoreHigh reward that NFT maps to 1 (correct)
     * @param aggregation how NFT's token losses become one number: (masked token losses, mask) → scalar,
     *     the {@code trainer.loss.aggregation} ({@code PolicyLoss.Aggregation::apply})
     */
    public record Settings(double beta, double scoreLow, double scoreHigh, BinaryOperator<NDArray> aggregation) {
    }

    /** Every group objective. */
    public static final AlgorithmFamily<Settings, GroupObjective> FAMILY =
            AlgorithmFamily.<Settings, GroupObjective>builder("group objectives", "trainer.group.objective",
                            "learn from whole scored groups (trainer.mode=group)", "group-objectives")
                    .add(NegativeAwareFineTuning.NAME, NegativeAwareFineTuning.FORMULA,
                            "Chen et al. 2025 (NFT), arXiv 2505.18116; NVlabs/NFT dp_actor.py",
                            NegativeAwareFineTuning.class,
                            s -> new NegativeAwareFineTuning(s.scoreLow(), s.scoreHigh(), s.aggregation()))
                    .add(LipoLambda.NAME, LipoLambda.FORMULA,
                            "Liu et al. 2024 (LiPO), arXiv 2402.01878; LambdaLoss, Wang et al. 2018",
                            LipoLambda.class, s -> new LipoLambda(s.beta()))
                    .build();

    private GroupObjectives() {
    }
}
