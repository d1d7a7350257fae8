package io.rlstream.trainer.service;

/** What the trainer learns from ({@code trainer.mode}: rl, preference, sft). */
public enum TrainerMode {
    /** Scored batches on rl.training-batches, the policy loss. */
    RL,
    /** Pairs on rl.preference-pairs, a preference loss against the reference policy. */
    PREFERENCE,
    /** Prompts with reference answers on rl.prompts, cross-entropy (warm starts). */
    SFT,
    /**
     * Scored groups from the batches on rl.training-batches (the same records rl mode reads), a
     * group objective (NFT, LiPO-λ; docs/algorithms.md#group-objectives).
     */
    GROUP
}
