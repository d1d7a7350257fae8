package io.rlstream.model.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.model.safetensors.SafetensorsFile;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The distributions {@link TokenSampler} draws from against a copy of transformers' temperature,
 * top-k and top-p warpers run in PyTorch (src/test/python/make_sampling_golden.py): 60 random rows
 * of 50 logits over T ∈ {0.3, 0.7, 1, 1.5}, top_k ∈ {off, 5, 20}, top_p ∈ {1, .95, .8, .5, .1}.
 */
class TokenSamplerGoldenTest {

    @Test
    void keptSetsAndLogprobsMatchTransformersWarpers() throws Exception {
        Path file = Path.of(getClass().getResource("/sampling/golden.safetensors").toURI());
        try (SafetensorsFile golden = SafetensorsFile.open(file)) {
            long[] shape = golden.info("logits").shape();
            int n = (int) shape[0];
            int v = (int) shape[1];
            float[] logits = golden.floats("logits");
            float[] params = golden.floats("params");
            float[] expected = golden.floats("logprobs");
            assertEquals(60, n);
            TreeSet<Integer> keptSizes = new TreeSet<>();
            double worst = 0;
            for (int r = 0; r < n; r++) {
                double t = params[r * 3];
                int k = Math.round(params[r * 3 + 1]);
                double p = params[r * 3 + 2];
                TokenSampler sampler = new TokenSampler(new SamplingParams(t, p, k, 1, null));
                double[] actual = sampler.distribution(logits, r * v, v);
                int kept = 0;
                for (int i = 0; i < v; i++) {
                    float e = expected[r * v + i];
                    String where = "case " + r + " (T " + t + ", top_k " + k + ", top_p " + p + ") token " + i;
                    if (Float.isInfinite(e)) {
                        assertEquals(Double.NEGATIVE_INFINITY, actual[i], where);
                    } else {
                        kept++;
                        assertEquals(e, actual[i], 1e-5, where);
                        worst = Math.max(worst, Math.abs(e - actual[i]));
                    }
                }
                keptSizes.add(kept);
                // draws come from the kept set only, with the logprob of the distribution
                SplittableRandom rng = new SplittableRandom(r);
                for (int d = 0; d < 50; d++) {
                    TokenSampler.Choice c = sampler.choose(logits, r * v, v, rng);
                    assertTrue(Float.isFinite(expected[r * v + c.token()]), "case " + r + " drew a dropped token");
                    assertEquals(expected[r * v + c.token()], c.logprob(), 1e-5);
                }
            }
            System.out.println("sampling golden: worst " + worst + ", kept-set sizes " + keptSizes);
            assertTrue(keptSizes.contains(1) && keptSizes.contains(v) && keptSizes.size() > 8, keptSizes.toString());
        }
    }
}
