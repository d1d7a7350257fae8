package io.rlstream.trainer.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rlstream.trainer.objective.GradientCheck;
import io.rlstream.trainer.objective.PyTorchArrays;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * GSPO (arXiv 2507.18071; verl compute_policy_loss_gspo) on four responses padded to 3 tokens,
 * with ε_low = 0.2 and ε_high = 0.28 so that the clips are easy to see (GSPO's own 3e-4/4e-4 is
 * tested through the service settings). Token ratios u and the sequence ratio
 * s = (Π u)^(1/|o|), the geometric mean, computed by hand:
 *
 * <pre>
 *   1  A = +1  u = 1.5, 0.5        s = √0.75          = 0.8660254   ℓ = max(−s, −clip(s)) = −0.8660254
 *   2  A = −1  u = 0.5, 5, 1       s = 2.5^(1/3)      = 1.3572088   ℓ = max(s, 1.28)      =  1.3572088
 *   3  A = +1  u = 1.5, 1.5        s = 1.5                          ℓ = max(−1.5, −1.28)  = −1.28  (clipped)
 *   4  A = −1  u = 0.5, 0.5        s = 0.5                          ℓ = max(0.5, 0.8)     =  0.8   (clipped)
 * </pre>
 *
 * Every token of a sequence has its sequence's loss. seq-mean-token-mean (verl's GSPO):
 * (−0.8660254 + 1.3572088 − 1.28 + 0.8)/4 = 0.00279585; token-mean:
 * (2·(−0.8660254) + 3·1.3572088 + 2·(−1.28) + 2·0.8)/9 = 0.15328618. Clipped: the 4 tokens of
 * sequences 3 and 4 of 9. Per-token ppo-clip would have clipped other tokens (u = 1.5 and u = 5).
 */
class SequenceClippedSurrogateTest extends PyTorchArrays {

    private static final float OLD = -2f;
    private static float lp(double ratio) {
        return OLD + (float) Math.log(ratio);
    }

    private NDArray logprobs() {
        return manager.create(new float[] {
                lp(1.5), lp(0.5), 0f,
                lp(0.5), lp(5), lp(1),
                lp(1.5), lp(1.5), 0f,
                lp(0.5), lp(0.5), 0f}, new Shape(4, 3));
    }

    private NDArray old() {
        return manager.create(new float[] {OLD, OLD, 0f, OLD, OLD, OLD, OLD, OLD, 0f, OLD, OLD, 0f}, new Shape(4, 3));
    }

    private NDArray advantages() {
        return manager.create(new float[] {1f, -1f, 1f, -1f}, new Shape(4, 1));
    }

    private NDArray mask() {
        return manager.create(new float[] {1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 0}, new Shape(4, 3));
    }

    private static SequenceClippedSurrogate gspo(PolicyLoss.Aggregation aggregation) {
        return new SequenceClippedSurrogate(0.2, 0.28, aggregation);
    }

    @Test
    void oneClippedRatioPerSequence() {
        PolicyLoss.Result seqMean = gspo(PolicyLoss.Aggregation.SEQ_MEAN_TOKEN_MEAN)
                .compute(logprobs(), old(), advantages(), mask());
        assertEquals(0.00279585, seqMean.loss().getFloat(), 1e-6);
        assertEquals(4.0 / 9, seqMean.clipFraction(), 1e-6);
        // token mean of s: (2·0.8660254 + 3·1.3572088 + 2·1.5 + 2·0.5)/9
        assertEquals((2 * 0.8660254 + 3 * 1.3572088 + 2 * 1.5 + 2 * 0.5) / 9, seqMean.meanRatio(), 1e-5);
        assertEquals(0.15328618, gspo(PolicyLoss.Aggregation.TOKEN_MEAN)
                .compute(logprobs(), old(), advantages(), mask()).loss().getFloat(), 1e-5);
    }

    @Test
    void theGradientIsTheSequenceObjectivesGradient() {
        // d/d log π_t of (1/B) Σ_i −A_i·s_i = −A_i·s_i/(|o_i|·B): sequence 1 −0.8660254/8 = −0.10825318
        // on both tokens, sequence 2 1.3572088/12 = 0.11310073 on its three; the clipped sequences
        // and the padding get nothing
        Shape shape = new Shape(4, 3);
        double[] x = new double[12];
        float[] start = logprobs().toFloatArray();
        for (int i = 0; i < x.length; i++) {
            x[i] = start[i];
        }
        Function<NDArray, NDArray> loss = logprobs -> gspo(PolicyLoss.Aggregation.SEQ_MEAN_TOKEN_MEAN)
                .compute(logprobs, old(), advantages(), mask()).loss();
        double[] autograd = GradientCheck.autograd(manager, x, shape, DataType.FLOAT32, loss);
        double a = -0.10825318;
        double b = 0.11310073;
        assertArrayEquals(new double[] {a, a, 0, b, b, b, 0, 0, 0, 0, 0, 0}, autograd, 1e-6);
        // the stop-gradient form differentiates the value it computes: central differences of the
        // loss (whose value moves only through the sequence mean) agree
        assertArrayEquals(GradientCheck.finiteDifference(manager, x, shape, DataType.FLOAT32, loss, 1e-2),
                autograd, 2e-4);
    }

    @Test
    void onPolicyEveryRatioIsOneAndTheLossIsMinusTheMeanAdvantage() {
        PolicyLoss.Result result = new SequenceClippedSurrogate(SequenceClippedSurrogate.DEFAULT_CLIP_LOW,
                SequenceClippedSurrogate.DEFAULT_CLIP_HIGH, PolicyLoss.Aggregation.SEQ_MEAN_TOKEN_MEAN)
                .compute(old(), old(), manager.create(new float[] {1f, -1f, 2f, 0.5f}, new Shape(4, 1)), mask());
        // −(1 − 1 + 2 + 0.5)/4
        assertEquals(-0.625, result.loss().getFloat(), 1e-6);
        assertEquals(1.0, result.meanRatio(), 1e-6);
        assertEquals(0.0, result.clipFraction(), 0.0);
    }

    @Test
    void behaviourWeightsScaleTheTokenLosses() {
        // w = 2 on sequence 1 only: its token mean doubles, −0.8660254 → −1.7320508
        NDArray weights = manager.create(new float[] {2f, 1f, 1f, 1f}, new Shape(4, 1));
        PolicyLoss.Result result = gspo(PolicyLoss.Aggregation.SEQ_MEAN_TOKEN_MEAN)
                .compute(logprobs(), old(), advantages(), mask(), weights);
        assertEquals((-1.7320508 + 1.3572088 - 1.28 + 0.8) / 4, result.loss().getFloat(), 1e-6);
    }

    @Test
    void theRegistryBuildsItByName() {
        TrainerConfig config = TrainerConfig.defaults().withPolicyLoss(SequenceClippedSurrogate.NAME)
                .withClip(0.2, 0.28).withAggregation(PolicyLoss.Aggregation.SEQ_MEAN_TOKEN_MEAN);
        PolicyLoss loss = PolicyLosses.FAMILY.create("gspo", config);
        assertEquals(0.00279585, loss.compute(logprobs(), old(), advantages(), mask()).loss().getFloat(), 1e-6);
    }
}
