package io.rlstream.trainer.service;

/** What the trainer learns from ({@code trainer.mode}: rl, preference, sft). */
public enum TrainerMode {
    /** Scored batches on rl.training-batches, the policy loss. */
    RL,
    /** Pairs on rl.preference-pairs, a preference loss against the reference policy. */
    PREFERENCE,
    /** Prompts with reference answers on rl.prompts, cross-entropy (warm starts). */
    SFT
}
