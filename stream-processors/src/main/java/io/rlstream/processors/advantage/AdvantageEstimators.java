package io.rlstream.processors.advantage;

import io.rlstream.algorithm.AlgorithmFamily;

/**
 * The advantage estimators, as the {@code advantage.estimator} setting names them. Adding an
 * estimator is one class plus one line here (and its test); the setting's validator,
 * {@code rlstream algorithms} and the docs follow from this list.
 */
public final class AdvantageEstimators {

    /** Every estimator, built from {@link AdvantageOptions} (std and ε apply to grpo and grpo-batch-std only). */
    public static final AlgorithmFamily<AdvantageOptions, AdvantageEstimator> FAMILY =
            AlgorithmFamily.<AdvantageOptions, AdvantageEstimator>builder("advantage estimators", "advantage.estimator",
                            "turn the rewards of a completed group into one advantage per sample", "advantage-estimators")
                    .add(Grpo.NAME, Grpo.FORMULA, "Shao et al. 2024 (DeepSeekMath), arXiv 2402.03300",
                            Grpo.class, o -> new Grpo(o.std(), o.epsilon()))
                    .add(GrpoBatchStd.NAME, GrpoBatchStd.FORMULA, "Liu et al. 2025 (Lite PPO), arXiv 2508.08221",
                            GrpoBatchStd.class, o -> new GrpoBatchStd(o.std(), o.epsilon()))
                    .add(DrGrpo.NAME, DrGrpo.FORMULA, "Liu et al. 2025 (Dr. GRPO), arXiv 2503.20783",
                            DrGrpo.class, o -> new DrGrpo())
                    .add(Rloo.NAME, Rloo.FORMULA, "Ahmadian et al. 2024, arXiv 2402.14740; Kool et al. 2019",
                            Rloo.class, o -> new Rloo())
                    .add(ReinforcePlusPlusBaseline.NAME, ReinforcePlusPlusBaseline.FORMULA,
                            "Hu et al. 2025 (REINFORCE++), arXiv 2501.03262",
                            ReinforcePlusPlusBaseline.class, o -> new ReinforcePlusPlusBaseline())
                    .add(Opo.NAME, Opo.FORMULA, "OPO (optimal reward baseline), arXiv 2505.23585",
                            Opo.class, o -> new Opo())
                    .build();

    private AdvantageEstimators() {
    }
}
