package io.rlstream.processors.filtration;

import io.rlstream.algorithm.AlgorithmFamily;
import java.util.Optional;

/**
 * verl's PF-PPO reweighting methods by name, as {@code filter.pf-ppo-reweight} names them and
 * spelled as verl's {@code pf_ppo.reweight_method}: {@code pow} (power 2), {@code max_min},
 * {@code max_random}; and {@code none}.
 *
 * <p>{@code none} builds no reweighting (an empty Optional): not reweighting means not
 * resampling (verl: {@code use_pf_ppo=False}), not a reweighting that draws a random batch with
 * replacement, so the batch assembler skips the stage.
 */
public final class BatchReweightings {

    /** Name of "do not resample". */
    public static final String NONE = "none";

    /** Every reweighting, with verl's defaults ({@code pow}: power 2; for another construct {@link PowReweighting}). */
    public static final AlgorithmFamily<Void, Optional<BatchReweighting>> FAMILY =
            AlgorithmFamily.<Void, Optional<BatchReweighting>>builder("PF-PPO reweightings", "filter.pf-ppo-reweight",
                            "resample a batch with replacement, weighted by reward", "pf-ppo-reweightings")
                    .add(NONE, "the batch as it is, no resampling", "verl use_pf_ppo=False", BatchReweighting.class,
                            o -> Optional.empty())
                    .add(PowReweighting.NAME, "w_i = |s_i|^2 + 1e-8", "verl compute_pf_ppo_reweight_data (pow)",
                            PowReweighting.class, o -> Optional.of(new PowReweighting()))
                    .add(MaxMinReweighting.NAME, "w_i = 1[s_i = max_j s_j or s_i = min_j s_j] + 1e-8",
                            "verl compute_pf_ppo_reweight_data (max_min)", MaxMinReweighting.class,
                            o -> Optional.of(new MaxMinReweighting()))
                    .add(MaxRandomReweighting.NAME, "w_i = (s_i = max_j s_j ? 0.4 : 0.1) + 1e-8",
                            "verl compute_pf_ppo_reweight_data (max_random)", MaxRandomReweighting.class,
                            o -> Optional.of(new MaxRandomReweighting()))
                    .build();

    private BatchReweightings() {
    }
}
