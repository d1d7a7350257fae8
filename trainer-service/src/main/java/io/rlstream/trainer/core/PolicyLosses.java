package io.rlstream.trainer.core;

import io.rlstream.algorithm.AlgorithmFamily;

/**
 * The policy losses by name, as {@code trainer.policy.loss} names them, built from the trainer's
 * settings (clip range, dual clip, aggregation). Adding one is one class plus one line
 * here (and its test).
 */
public final class PolicyLosses {

    /** Every policy loss. */
    public static final AlgorithmFamily<TrainerConfig, PolicyLoss> FAMILY =
            AlgorithmFamily.<TrainerConfig, PolicyLoss>builder("policy losses", "trainer.policy.loss",
                            "the policy-gradient loss per response token, aggregated over the batch", "policy-losses")
                    .add(ClippedSurrogate.NAME, ClippedSurrogate.FORMULA,
                            "Schulman et al. 2017 (PPO), arXiv 1707.06347; DAPO clip-higher, arXiv 2503.14476; "
                                    + "dual clip, arXiv 1912.09729; verl compute_policy_loss",
                            ClippedSurrogate.class,
                            c -> new ClippedSurrogate(c.clipLow(), c.clipHigh(), c.dualClip(), c.aggregation()))
                    .add(SequenceClippedSurrogate.NAME, SequenceClippedSurrogate.FORMULA,
                            "Zheng et al. 2025 (GSPO), arXiv 2507.18071; verl compute_policy_loss_gspo",
                            SequenceClippedSurrogate.class,
                            c -> new SequenceClippedSurrogate(c.clipLow(), c.clipHigh(), c.aggregation()))
                    .build();

    private PolicyLosses() {
    }
}
