package io.rlstream.model.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.hf.DecoderConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Chunked response log-probs and their gradients against the naive computation: full logits of
 * the whole batch (B, T, vocab) from {@link DecoderModel#logits}, log-softmax, gather, the same
 * loss, one backward pass through DJL's GradientCollector.
 */
class ResponseScorerTest {

    private static final List<int[]> PROMPTS = List.of(new int[] {5, 9, 13, 2, 7}, new int[] {4, 11},
            new int[] {30});
    private static final List<int[]> RESPONSES = List.of(new int[] {8, 1, 3}, new int[] {17, 22, 6, 9, 50, 2},
            new int[] {33});

    @BeforeAll
    static void oneThread() {
        DecoderGoldenTest.oneThread();
    }

    /** A loss that is not linear in the log-probs, so that its gradient depends on them. */
    static NDArray loss(NDArray lp, NDArray mask) {
        NDArray ratio = lp.sub(lp.stopGradient()).exp(); // 1 with gradient 1, like PPO's ratio at π = π_old
        return lp.square().mul(0.3).add(lp.mul(ratio).mul(-1.7)).add(lp.exp()).mul(mask).sum().div(mask.sum());
    }

    /** log π of each response token, each row alone, in Java from the full logits. */
    private static double[][] naiveLogprobs(DecoderModel model, double temperature) {
        int v = model.config().vocabSize();
        double[][] out = new double[PROMPTS.size()][];
        for (int r = 0; r < PROMPTS.size(); r++) {
            int[] p = PROMPTS.get(r);
            int[] y = RESPONSES.get(r);
            int[] full = new int[p.length + y.length];
            System.arraycopy(p, 0, full, 0, p.length);
            System.arraycopy(y, 0, full, p.length, y.length);
            float[] logits;
            try (NDManager scope = model.newScope()) {
                logits = model.logits(scope, new int[][] {full}, 0, false).toFloatArray();
            }
            out[r] = new double[y.length];
            for (int j = 0; j < y.length; j++) {
                int at = (p.length - 1 + j) * v;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < v; k++) {
                    max = Math.max(max, logits[at + k] / temperature);
                }
                double z = 0;
                for (int k = 0; k < v; k++) {
                    z += Math.exp(logits[at + k] / temperature - max);
                }
                out[r][j] = logits[at + y[j]] / temperature - max - Math.log(z);
            }
        }
        return out;
    }

    /** Gradients of {@link #loss} over the naive full-logits log-probs (rows left-padded to T). */
    private static Map<String, float[]> naiveGradients(DecoderModel model, double temperature) {
        float[] temperatures = new float[PROMPTS.size()];
        java.util.Arrays.fill(temperatures, (float) temperature);
        return naiveGradients(model, temperatures, 0);
    }

    /**
     * Gradients of {@link #loss} minus {@code entropyCoef} × the token mean of the entropy, over the
     * naive full-logits log-probs and entropies, row r at temperature {@code temperatures[r]}.
     */
    private static Map<String, float[]> naiveGradients(DecoderModel model, float[] temperatures, double entropyCoef) {
        int b = PROMPTS.size();
        int[][] rows = new int[b][];
        int t = 0;
        int width = 0;
        for (int r = 0; r < b; r++) {
            int[] p = PROMPTS.get(r);
            int[] y = RESPONSES.get(r);
            rows[r] = new int[p.length + y.length];
            System.arraycopy(p, 0, rows[r], 0, p.length);
            System.arraycopy(y, 0, rows[r], p.length, y.length);
            t = Math.max(t, rows[r].length);
            width = Math.max(width, y.length);
        }
        long[] columns = new long[b * width];
        long[] targets = new long[b * t];
        float[] mask = new float[b * width];
        for (int r = 0; r < b; r++) {
            int[] y = RESPONSES.get(r);
            int start = t - y.length; // column of the first response token
            for (int j = 0; j < width; j++) {
                columns[r * width + j] = j < y.length ? start - 1 + j : 0;
                mask[r * width + j] = j < y.length ? 1 : 0;
            }
            for (int c = 0; c + 1 < t; c++) {
                int next = c + 1 - (t - rows[r].length);
                targets[r * t + c] = next >= 0 ? rows[r][next] : 0;
            }
        }
        Map<String, float[]> grads = new LinkedHashMap<>();
        try (NDManager scope = model.newScope();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray logits = model.logits(scope, rows, 0, true).div(scope.create(temperatures, new Shape(b, 1, 1)));
            NDArray logSoftmax = logits.logSoftmax(-1);
            NDArray all = logSoftmax
                    .gather(scope.create(targets, new Shape(b, t)).expandDims(-1), -1).squeeze(-1); // (B, T)
            NDArray m = scope.create(mask, new Shape(b, width));
            NDArray at = scope.create(columns, new Shape(b, width));
            NDArray lp = all.gather(at, 1).mul(m);
            NDArray loss = loss(lp, m);
            if (entropyCoef != 0) {
                NDArray entropy = logSoftmax.exp().mul(logSoftmax).sum(new int[] {2}).neg().gather(at, 1).mul(m);
                loss = loss.sub(entropy.sum().div(m.sum()).mul((float) entropyCoef));
            }
            collector.backward(loss);
            model.network().parametersByHfName().forEach((name, p) -> {
                NDArray g = p.getArray().getGradient();
                grads.put(name, g.toFloatArray());
                g.close();
            });
        }
        return grads;
    }

    private static Map<String, float[]> gradients(DecoderModel model) {
        Map<String, float[]> grads = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : model.network().parametersByHfName().entrySet()) {
            NDArray g = e.getValue().getArray().getGradient();
            grads.put(e.getKey(), g.toFloatArray());
            g.close();
        }
        return grads;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3"})
    void logprobsEqualTheFullLogitsComputation(String arch) throws Exception {
        Path dir = DecoderGoldenTest.folder(arch);
        try (DecoderModel model = DecoderModel.load(dir)) {
            for (double temperature : new double[] {1.0, 0.7}) {
                double[][] expected = naiveLogprobs(model, temperature);
                for (int chunk : new int[] {1, 4, 100}) {
                    float[][] actual = new ResponseScorer(model, chunk).score(PROMPTS, RESPONSES, temperature);
                    for (int r = 0; r < expected.length; r++) {
                        assertEquals(expected[r].length, actual[r].length);
                        for (int j = 0; j < expected[r].length; j++) {
                            assertEquals(expected[r][j], actual[r][j], 1e-5,
                                    arch + " T " + temperature + " chunk " + chunk + " row " + r + " token " + j);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3"})
    void gradientsEqualTheFullLogitsBackward(String arch) throws Exception {
        Path dir = DecoderGoldenTest.folder(arch);
        double temperature = arch.equals("qwen2") ? 0.8 : 1.0;
        Map<String, float[]> expected;
        try (DecoderModel naive = DecoderModel.load(dir)) {
            expected = naiveGradients(naive, temperature);
        }
        double[][] lps;
        try (DecoderModel model = DecoderModel.load(dir)) {
            lps = naiveLogprobs(model, temperature);
        }
        try (DecoderModel model = DecoderModel.load(dir)) {
            boolean gradMode = JniUtils.isGradMode();
            ResponseScorer.Result result = new ResponseScorer(model, 2)
                    .backward(PROMPTS, RESPONSES, temperature, ResponseScorerTest::loss);
            assertEquals(gradMode, JniUtils.isGradMode());
            for (int r = 0; r < lps.length; r++) {
                for (int j = 0; j < lps[r].length; j++) {
                    assertEquals(lps[r][j], result.logprobs()[r][j], 1e-5);
                }
            }
            assertTrue(Float.isFinite(result.loss()));
            Map<String, float[]> actual = gradients(model);
            assertEquals(expected.keySet(), actual.keySet());
            // element-wise within 1e-5 of the tensor's largest gradient (at least 1): gradients
            // here reach ~50, and fp32 sums of terms that size differ in the 1e-5s between the two
            // orders of summation
            double largest = 0;
            double worst = 0;
            for (String name : expected.keySet()) {
                float[] e = expected.get(name);
                float[] a = actual.get(name);
                double scale = 1;
                for (float x : e) {
                    scale = Math.max(scale, Math.abs(x));
                }
                largest = Math.max(largest, scale);
                for (int i = 0; i < e.length; i++) {
                    double scaled = Math.abs(e[i] - a[i]) / scale;
                    worst = Math.max(worst, scaled);
                    assertTrue(scaled <= 1e-5, arch + " " + name + " element " + i + ": " + e[i] + " vs " + a[i]
                            + " (largest in the tensor " + scale + ")");
                }
            }
            System.out.println(arch + " gradients: largest " + largest + ", worst scaled difference " + worst);
            assertTrue(largest > 1e-3, "the check must not pass on zero gradients, largest " + largest);
        }
    }

    /**
     * Row temperatures 1, 0.7 and 1.3 in one batch, and an entropy bonus: log-probs equal the
     * per-row full-logits computation at each row's temperature, and the gradient of
     * loss − 0.4·token-mean(H) equals DJL's backward through the full logits with the same
     * temperatures and entropy ({@link #naiveGradients(DecoderModel, float[], double)}).
     */
    @Test
    void rowTemperaturesAndTheEntropyGradientEqualTheFullLogits() throws Exception {
        Path dir = DecoderGoldenTest.folder("qwen3");
        float[] temperatures = {1f, 0.7f, 1.3f};
        Map<String, float[]> expected;
        try (DecoderModel naive = DecoderModel.load(dir)) {
            expected = naiveGradients(naive, temperatures, 0.4);
        }
        try (DecoderModel model = DecoderModel.load(dir)) {
            float[][] scored = new ResponseScorer(model, 2).score(PROMPTS, RESPONSES, temperatures);
            for (int r = 0; r < PROMPTS.size(); r++) {
                double[] rowExpected = naiveLogprobs(model, temperatures[r])[r];
                for (int j = 0; j < rowExpected.length; j++) {
                    assertEquals(rowExpected[j], scored[r][j], 1e-5, "row " + r + " token " + j);
                }
            }
            double[] entropyMean = new double[1];
            new ResponseScorer(model, 2).backward(PROMPTS, RESPONSES, temperatures, ResponseScorer.Entropy.GRADIENT,
                    (lp, entropy, mask) -> {
                        NDArray mean = entropy.mul(mask).sum().div(mask.sum());
                        entropyMean[0] = mean.getFloat();
                        return loss(lp, mask).sub(mean.mul(0.4f));
                    });
            // the entropy is positive and at most ln V (a uniform next-token distribution)
            assertTrue(entropyMean[0] > 0 && entropyMean[0] < Math.log(model.config().vocabSize()) + 1e-4,
                    "entropy " + entropyMean[0]);
            Map<String, float[]> actual = gradients(model);
            double largest = 0;
            for (String name : expected.keySet()) {
                float[] e = expected.get(name);
                float[] a = actual.get(name);
                double scale = 1;
                for (float x : e) {
                    scale = Math.max(scale, Math.abs(x));
                }
                largest = Math.max(largest, scale);
                for (int i = 0; i < e.length; i++) {
                    assertTrue(Math.abs(e[i] - a[i]) / scale <= 1e-5, name + " element " + i + ": " + e[i]
                            + " vs " + a[i]);
                }
            }
            assertTrue(largest > 1e-3, "the check must not pass on zero gradients, largest " + largest);
        }
        // the entropy's share of the gradient is not negligible: without it the gradients differ
        try (DecoderModel naive = DecoderModel.load(dir)) {
            Map<String, float[]> withoutEntropy = naiveGradients(naive, temperatures, 0);
            double differs = 0;
            for (String name : expected.keySet()) {
                float[] e = expected.get(name);
                float[] w = withoutEntropy.get(name);
                for (int i = 0; i < e.length; i++) {
                    differs = Math.max(differs, Math.abs(e[i] - w[i]));
                }
            }
            assertTrue(differs > 1e-3, "the entropy term changes the gradient by " + differs);
        }
    }

    @Test
    void gradientsAccumulateOverMicroBatches() {
        DecoderConfig config = DecoderConfig.of(DecoderArchitecture.LLAMA, 64, 16, 24, 1, 4, 2, false);
        Map<String, float[]> whole;
        try (DecoderModel model = DecoderModel.create(config, 5)) {
            // sum of per-row losses: the gradient of the batch equals the sum over single rows
            new ResponseScorer(model, 3).backward(PROMPTS, RESPONSES, 1.0, (lp, m) -> lp.mul(m).sum());
            whole = gradients(model);
        }
        try (DecoderModel model = DecoderModel.create(config, 5)) {
            ResponseScorer scorer = new ResponseScorer(model, 3);
            for (int r = 0; r < PROMPTS.size(); r++) {
                scorer.backward(List.of(PROMPTS.get(r)), List.of(RESPONSES.get(r)), 1.0, (lp, m) -> lp.mul(m).sum());
            }
            Map<String, float[]> summed = gradients(model);
            whole.forEach((name, e) -> {
                float[] a = summed.get(name);
                for (int i = 0; i < e.length; i++) {
                    assertEquals(e[i], a[i], 1e-5, name + " element " + i);
                }
            });
        }
    }

    @Test
    void checksItsInputs() {
        DecoderConfig config = DecoderConfig.of(DecoderArchitecture.QWEN3, 40, 16, 24, 1, 4, 2, true);
        try (DecoderModel model = DecoderModel.create(config, 5)) {
            ResponseScorer s = new ResponseScorer(model, 8);
            assertEquals(0, s.score(List.of(new int[] {1}), List.of(new int[0]), 1.0)[0].length);
            assertThrows(IllegalArgumentException.class, () -> s.score(List.of(new int[0]), List.of(new int[] {1}), 1.0));
            assertThrows(IllegalArgumentException.class, () -> s.score(List.of(new int[] {1}), List.of(new int[] {40}), 1.0));
            assertThrows(IllegalArgumentException.class, () -> s.score(List.of(new int[] {1}), List.of(), 1.0));
            assertThrows(IllegalArgumentException.class, () -> new ResponseScorer(model, 0));
            assertEquals(5, ResponseScorer.chunkFor(1_000_000, 4, 50_000));
            assertEquals(1, ResponseScorer.chunkFor(10, 4, 50_000));
        }
    }
}
