package io.rlstream.trainer.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.function.BinaryOperator;
import io.rlstream.model.autograd.Scalars;

/**
 * NFT, Negative-aware Fine-Tuning (Chen et al. 2025, arXiv 2505.18116), as NVlabs/NFT computes it
 * ({@code dp_actor.py}, {@code ratio_type=token}, with their defaults {@code clamp_negative=1},
 * {@code clamp_positive=0}, {@code normalize=1}, {@code neg_weight=1};
 * docs/algorithms.md#group-objectives). Each response's reward is mapped to a correctness
 * c_i = clamp((r_i − lo)/(hi − lo), 0, 1) (NVlabs: (r + 1)/2 of ±1 rewards, so lo = −1, hi = 1);
 * the group's success rate is r̂ = clamp(mean_group c, 0.02, 0.98). Per response token t:
 *
 * <pre>
 *   R_t   = exp(min(log π_θ(o_t) − log π_old(o_t), 10))
 *   pos_t = −log R_t                                          the positive sample's likelihood
 *   neg_t = −log(stclamp((1 − r̂·R_t)/(1 − r̂), 1))             the implicit negative policy's
 *   ℓ_t   = (c_i·pos_t + (1 − c_i)·neg_t)·(1 − r̂)
 * </pre>
 *
 * stclamp(x, m) has the value max(x, m) and the gradient of x (NVlabs' {@code clamp_preserve_grad}),
 * so a negative response whose likelihood rose keeps being pushed down while its loss value stays 0.
 * On the first update (π_θ = π_old) the gradient on a token is −(1 − r̂) for a correct response and
 * +r̂ for an incorrect one: half of Dr.GRPO's advantage r_i − mean for ±1 rewards, which is the
 * paper's "NFT equals GRPO on-policy". NVlabs sums the token losses and divides by 1000; here the
 * trainer's aggregation ({@code trainer.loss.aggregation}) combines them.
 */
public final class NegativeAwareFineTuning implements GroupObjective {

    /** Registry name ({@code trainer.group.objective}). */
    public static final String NAME = "nft";
    /** The per-token loss in one line. */
    public static final String FORMULA =
            "(1-r)*(c*(-log R) + (1-c)*(-log stclamp((1-r*R)/(1-r), 1))); r = group success rate, R = pi/pi_old";

    /** NVlabs clamps the group's success rate to [0.02, 0.98] so neither term's weight vanishes. */
    static final double MIN_RATE = 0.02;
    static final double MAX_RATE = 0.98;
    private static final float MAX_LOG_RATIO = 10f;
    /** clamp_negative of NVlabs' recipe: the value of the negative likelihood ratio is at least 1. */
    private static final float NEGATIVE_FLOOR = 1f;

    private final double scoreLow;
    private final double scoreHigh;
    private final BinaryOperator<NDArray> aggregation;

    /**
     * @param scoreLow the reward of an incorrect response (0 with the default rewards, −1 in NVlabs')
     * @param scoreHigh the reward of a correct response (1)
     * @param aggregation how token losses are combined: (masked token losses, mask) → scalar, one of the
     *     trainer's loss aggregations ({@code PolicyLoss.Aggregation::apply})
     */
    public NegativeAwareFineTuning(double scoreLow, double scoreHigh, BinaryOperator<NDArray> aggregation) {
        if (!(scoreHigh > scoreLow) || Double.isInfinite(scoreHigh) || Double.isInfinite(scoreLow)) {
            throw new IllegalArgumentException("NFT needs finite rewards low < high for incorrect and correct, got "
                    + scoreLow + " and " + scoreHigh + " (trainer.nft.reward.low/.high)");
        }
        if (aggregation == null) {
            throw new IllegalArgumentException("an aggregation is required");
        }
        this.scoreLow = scoreLow;
        this.scoreHigh = scoreHigh;
        this.aggregation = aggregation;
    }

    /** c = clamp((r − lo)/(hi − lo), 0, 1). */
    double correctness(double reward) {
        return Math.max(0, Math.min(1, (reward - scoreLow) / (scoreHigh - scoreLow)));
    }

    /** r̂ of every row: its group's mean correctness, clamped to [0.02, 0.98]. */
    double[] successRates(double[] rewards, int[] groups) {
        double[] rates = new double[rewards.length];
        int start = 0;
        while (start < rewards.length) {
            int end = start;
            double sum = 0;
            while (end < rewards.length && groups[end] == groups[start]) {
                sum += correctness(rewards[end]);
                end++;
            }
            double rate = Math.max(MIN_RATE, Math.min(MAX_RATE, sum / (end - start)));
            for (int i = start; i < end; i++) {
                rates[i] = rate;
            }
            start = end;
        }
        return rates;
    }

    @Override
    public Result compute(Input input) {
        int rows = input.rewards().length;
        double[] rates = successRates(input.rewards(), input.groups());
        float[] rate = new float[rows];
        float[] correct = new float[rows];
        for (int i = 0; i < rows; i++) {
            rate[i] = (float) rates[i];
            correct[i] = (float) correctness(input.rewards()[i]);
        }
        NDArray logprobs = input.logprobs();
        NDArray mask = input.mask();
        NDArray r = logprobs.getManager().create(rate, new Shape(rows, 1));
        NDArray c = logprobs.getManager().create(correct, new Shape(rows, 1));
        NDArray logRatio = Scalars.atMost(logprobs.sub(input.oldLogprobs().stopGradient()), MAX_LOG_RATIO);
        NDArray ratio = logRatio.exp();
        // −log R_t written as −min(log-ratio, 10): the same value and gradient, and no −log 0 = ∞
        // when a token's ratio underflows float32 (NVlabs takes the log of the exp)
        NDArray positive = logRatio.neg();
        NDArray proxy = r.mul(ratio).neg().add(1f).div(r.neg().add(1f));
        NDArray floored = proxy.add(Scalars.atLeast(proxy, NEGATIVE_FLOOR).sub(proxy).stopGradient());
        NDArray negative = floored.log().neg();
        NDArray perToken = c.mul(positive).add(c.neg().add(1f).mul(negative)).mul(r.neg().add(1f));
        double tokens = mask.sum().getFloat();
        NDArray clamped = proxy.lt(NEGATIVE_FLOOR).toType(mask.getDataType(), false).mul(c.neg().add(1f).gt(0)
                .toType(mask.getDataType(), false));
        double clipFraction = tokens == 0 ? 0 : clamped.mul(mask).sum().getFloat() / tokens;
        double meanRatio = tokens == 0 ? 1 : ratio.stopGradient().mul(mask).sum().getFloat() / tokens;
        return new Result(aggregation.apply(perToken.mul(mask), mask), (long) tokens, clipFraction, meanRatio, 0, 0);
    }

    /**
     * The aggregations are linear in the token losses, so a part's weight is the whole's aggregation
     * of ones on the part's tokens over the part's own aggregation of them: N_part/N (token mean),
     * B_part/B (sequence means), B_part·w_part/(B·R) (sum-norm over the padded widths).
     */
    @Override
    public double share(NDArray mask, double[] rewards, int[] groups, int from, int to, int partWidth) {
        long rows = mask.getShape().get(0);
        float[] inPart = new float[(int) rows];
        java.util.Arrays.fill(inPart, from, to, 1f);
        NDArray partOnes = mask.mul(mask.getManager().create(inPart, new Shape(rows, 1)));
        NDArray partMask = mask.get(from + ":" + to + ", 0:" + partWidth);
        double whole = aggregation.apply(partOnes, mask).getFloat();
        double part = aggregation.apply(partMask, partMask).getFloat();
        return part > 0 && Double.isFinite(whole) ? whole / part : 0;
    }

    @Override
    public boolean needsReference() {
        return false;
    }

    @Override
    public String toString() {
        return "NFT[rewards " + scoreLow + ".." + scoreHigh + "]";
    }
}
