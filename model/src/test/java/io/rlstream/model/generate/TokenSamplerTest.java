package io.rlstream.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Temperature, top-k and top-p against probabilities computed by hand. */
class TokenSamplerTest {

    /** Token id → probability: 3 → .05, 0 → .10, 4 → .15, 1 → .30, 2 → .40. */
    private static final double[] P = {0.10, 0.30, 0.40, 0.05, 0.15};

    private static float[] logits(double[] p, double shift) {
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = (float) (Math.log(p[i]) + shift);
        }
        return out;
    }

    private static int[] kept(double t, double topP, int topK, float[] logits) {
        return new TokenSampler(new SamplingParams(t, topP, topK, 1, null)).kept(logits, 0, logits.length);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        float[] l = logits(P, 3.0); // a shift changes nothing
        // ascending .05 .10 .15 .30 .40, cumulative .05 .15 .30 .60 1.0; drop cumulative <= 1 - p
        assertArrayEquals(new int[] {1, 2}, kept(1, 0.65, 0, l)); // drop <= .35: .05 .10 .15
        assertArrayEquals(new int[] {1, 2}, kept(1, 0.5, 0, l)); // {.4} alone is < .5
        assertArrayEquals(new int[] {1, 2, 4}, kept(1, 0.75, 0, l)); // drop <= .25: .05 .10
        assertArrayEquals(new int[] {2}, kept(1, 0.3, 0, l)); // drop <= .70: all but .40
        assertArrayEquals(new int[] {2}, kept(1, 1e-9, 0, l)); // always at least one
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, kept(1, 0.99, 0, l)); // drop <= .01: none
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, kept(1, 1.0, 0, l));
    }

    @Test
    void topPAppliesToTheTemperedDistribution() {
        // T = 2: q ∝ sqrt(p) = .2236 .3162 .3873 .5477 .6325 (sum 2.1073)
        //   → .1061 (id 3) .1501 (id 0) .1838 (id 4) .2599 (id 1) .3001 (id 2)
        // cumulative .1061 .2562 .4400 .6999 1.0
        float[] l = logits(P, 0);
        assertArrayEquals(new int[] {1, 2}, kept(2, 0.5, 0, l)); // drop <= .5: .1061 .2562 .4400
        assertArrayEquals(new int[] {0, 1, 2, 4}, kept(2, 0.75, 0, l)); // drop <= .25: .1061
        // at T = 1 the same p = .75 keeps three tokens (above)
        assertArrayEquals(new int[] {1, 2, 4}, kept(1, 0.75, 0, l));
    }

    @Test
    void logprobsAreOfTheRenormalisedKeptDistribution() {
        float[] l = logits(P, 0);
        TokenSampler s = new TokenSampler(SamplingParams.sample(1.0, 0.65, 1));
        double[] d = s.distribution(l, 0, l.length);
        assertEquals(Math.log(0.3 / 0.7), d[1], 1e-6);
        assertEquals(Math.log(0.4 / 0.7), d[2], 1e-6);
        assertEquals(Double.NEGATIVE_INFINITY, d[0]);
        SplittableRandom rng = new SplittableRandom(5);
        int[] counts = new int[5];
        int n = 20000;
        for (int i = 0; i < n; i++) {
            TokenSampler.Choice c = s.choose(l, 0, l.length, rng);
            counts[c.token()]++;
            assertEquals(d[c.token()], c.logprob(), 1e-6);
        }
        assertEquals(0, counts[0] + counts[3] + counts[4]);
        assertEquals(0.4 / 0.7, counts[2] / (double) n, 0.015);

        // at T = 2 without nucleus: log of sqrt(p) / sum sqrt(p)
        TokenSampler warm = new TokenSampler(SamplingParams.sample(2.0, 1.0, 1));
        double sum = 0;
        for (double p : P) {
            sum += Math.sqrt(p);
        }
        double[] w = warm.distribution(l, 0, l.length);
        for (int i = 0; i < P.length; i++) {
            assertEquals(Math.log(Math.sqrt(P[i]) / sum), w[i], 1e-6, "token " + i);
        }
    }

    @Test
    void samplingFollowsTheDistributionAndIsSeeded() {
        float[] l = logits(P, -1.5);
        TokenSampler s = new TokenSampler(SamplingParams.sample(1.0, 1.0, 1));
        int[] counts = new int[5];
        int n = 40000;
        SplittableRandom rng = new SplittableRandom(9);
        for (int i = 0; i < n; i++) {
            counts[s.choose(l, 0, 5, rng).token()]++;
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(P[i], counts[i] / (double) n, 0.01, "token " + i);
        }
        SplittableRandom a = new SplittableRandom(3);
        SplittableRandom b = new SplittableRandom(3);
        for (int i = 0; i < 100; i++) {
            assertEquals(s.choose(l, 0, 5, a), s.choose(l, 0, 5, b));
        }
    }

    @Test
    void topKKeepsTheKHighestWithTies() {
        float[] l = {1f, 2f, 2f, 0f, 3f};
        assertArrayEquals(new int[] {4}, kept(1, 1, 1, l));
        assertArrayEquals(new int[] {1, 2, 4}, kept(1, 1, 2, l)); // the tie with the 2nd is kept
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, kept(1, 1, 5, l));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, kept(1, 1, 0, l));
        // top-k then top-p: of {4, 1, 2} (e^3, e^2, e^2), p = .5 keeps only 4 (.576)
        assertArrayEquals(new int[] {4}, kept(1, 0.5, 2, l));
    }

    @Test
    void greedyTakesTheLowestArgmaxAndReportsTheTemperatureOneLogprob() {
        float[] l = {0.5f, 2f, 2f, -1f};
        TokenSampler s = new TokenSampler(SamplingParams.greedy(1));
        TokenSampler.Choice c = s.choose(l, 0, 4, new SplittableRandom(1));
        assertEquals(1, c.token());
        double z = Math.exp(0.5) + 2 * Math.exp(2) + Math.exp(-1);
        assertEquals(2 - Math.log(z), c.logprob(), 1e-6);
        // an offset into a batch of rows
        float[] two = {9f, 0f, 0f, 0f, 0.5f, 2f, 2f, -1f};
        assertEquals(1, s.choose(two, 4, 4, new SplittableRandom(1)).token());
    }

    @Test
    void rejectsNaNAndBadParameters() {
        TokenSampler s = new TokenSampler(SamplingParams.sample(1, 1, 1));
        assertThrows(IllegalStateException.class,
                () -> s.choose(new float[] {0f, Float.NaN}, 0, 2, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.sample(-1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.sample(1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.sample(1, 1.5, 1));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, 1, -1, 1, null));
        assertTrue(SamplingParams.greedy(1, 7, 9).isStop(9));
    }
}
