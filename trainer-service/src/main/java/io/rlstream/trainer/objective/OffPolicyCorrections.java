package io.rlstream.trainer.objective;

import io.rlstream.algorithm.AlgorithmFamily;

/**
 * What bounds the behaviour weight w = π_prox/π_behav of decoupled PPO, by name, as
 * {@code trainer.offpolicy.correction} names them; each is an {@link ImportanceCorrection.Mode}.
 * Adding one is a mode there (and its arithmetic) plus one line here (and its test).
 */
public final class OffPolicyCorrections {

    /** Every correction; none leaves w unbounded. */
    public static final AlgorithmFamily<Void, ImportanceCorrection.Mode> FAMILY =
            AlgorithmFamily.<Void, ImportanceCorrection.Mode>builder("off-policy corrections",
                            "trainer.offpolicy.correction",
                            "bound the behaviour weight w = pi_prox / pi_behav of samples from older policies",
                            "off-policy-corrections")
                    .add("none", "w as computed, unbounded", "Fu et al. 2025 (AReaL decoupled PPO), arXiv 2505.24298",
                            ImportanceCorrection.class, o -> ImportanceCorrection.Mode.NONE)
                    .add("tis", "w = min(w, C), C = 2", "truncated IS: Ionides 2008; Yao et al. 2025; verl rollout_is",
                            ImportanceCorrection.class, o -> ImportanceCorrection.Mode.TIS)
                    .add("mis", "w = 0 where w outside [C_min, C_max] = [0.5, 5]", "masked IS (IcePop)",
                            ImportanceCorrection.class, o -> ImportanceCorrection.Mode.MIS)
                    .build();

    private OffPolicyCorrections() {
    }
}
