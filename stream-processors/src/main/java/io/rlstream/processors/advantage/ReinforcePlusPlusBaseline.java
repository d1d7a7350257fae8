package io.rlstream.processors.advantage;

import java.util.ArrayList;
import java.util.List;

/**
 * REINFORCE++-baseline (Hu et al., REINFORCE++, arXiv 2501.03262): subtract the group mean,
 * then whiten over all valid tokens of the batch,
 *
 * <pre>
 *   a_i  = r_i − mean_g                                   (group stage)
 *   μ    = Σ_i |o_i| a_i / Σ_i |o_i|                       (batch stage, over every sample of the batch)
 *   σ²   = Σ_i |o_i| (a_i − μ)² / Σ_i |o_i|
 *   A_i  = (a_i − μ) / √max(σ², 1e-8)
 * </pre>
 *
 * <p>The advantage of a response is broadcast to each of its |o_i| tokens, so whitening "over
 * tokens" counts each sample |o_i| times; samples of length 0 contribute nothing. The variance is
 * the population one and clamped at 1e-8 before the inverse square root, as OpenRLHF's
 * {@code compute_advantages_and_returns} does for {@code advantage_estimator=reinforce_baseline}
 * ({@code var.clamp(min=1e-8).rsqrt()}). verl's
 * {@code compute_reinforce_plus_plus_baseline_outcome_advantage} whitens with
 * {@code masked_whiten}, which differs in the last digits (unbiased token variance, var + 1e-8).
 *
 * <p>Why: the group baseline removes the prompt's difficulty; the batch-wide scale (not per
 * group, as GRPO's) keeps updates comparable between batches without inflating near-unanimous
 * groups.
 *
 * <p>Group stage: G = 1 keeps r, equal rewards give exactly 0 (see {@link GroupBaseline}). Batch
 * stage: if the batch has no tokens at all there is nothing to whiten over and the group-stage
 * advantages are returned unchanged (they reach no token anyway).
 */
public final class ReinforcePlusPlusBaseline implements AdvantageEstimator {

    /** Registry name. */
    public static final String NAME = "reinforce-pp-baseline";
    /** One-line formula for listings. */
    public static final String FORMULA = "r_i - mean_g, then whitened over the batch's tokens";
    /** Lower bound of the variance before the inverse square root (OpenRLHF). */
    public static final double MIN_VARIANCE = 1e-8;

    @Override
    public float[] advantages(GroupRewards group) {
        return GroupBaseline.centered(group);
    }

    @Override
    public List<float[]> normalizeBatch(List<GroupRewards> groups, List<float[]> advantages) {
        BatchShape.requireMatching(groups, advantages);
        double tokens = 0;
        double weighted = 0;
        for (int k = 0; k < groups.size(); k++) {
            GroupRewards group = groups.get(k);
            float[] a = advantages.get(k);
            for (int i = 0; i < a.length; i++) {
                tokens += group.length(i);
                weighted += (double) group.length(i) * a[i];
            }
        }
        if (tokens == 0) {
            return BatchShape.copy(advantages);
        }
        double mean = weighted / tokens;
        double squares = 0;
        for (int k = 0; k < groups.size(); k++) {
            GroupRewards group = groups.get(k);
            float[] a = advantages.get(k);
            for (int i = 0; i < a.length; i++) {
                squares += group.length(i) * (a[i] - mean) * (a[i] - mean);
            }
        }
        double inverseStd = 1 / Math.sqrt(Math.max(squares / tokens, MIN_VARIANCE));
        List<float[]> out = new ArrayList<>(advantages.size());
        for (float[] a : advantages) {
            float[] whitened = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                whitened[i] = (float) ((a[i] - mean) * inverseStd);
            }
            out.add(whitened);
        }
        return out;
    }

    @Override
    public boolean hasBatchStage() {
        return true;
    }
}
