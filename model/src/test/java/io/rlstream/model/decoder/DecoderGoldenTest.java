package io.rlstream.model.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.safetensors.SafetensorsFile;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Logits of tiny random llama, qwen2 and qwen3 models (2 layers, hidden 32, 4 heads, 2 key/value
 * heads, vocabulary 64) against an independent reference forward in PyTorch that follows
 * transformers' modeling code: {@code model/src/test/python/make_decoder_golden.py} wrote each
 * {@code decoder/<arch>/} folder (config.json, model.safetensors) and {@code golden.safetensors}
 * (a left-padded batch of 3 rows of lengths 7, 4 and 1, its attention mask and the reference's
 * logits). The llama case uses llama3 rope scaling across all three frequency bands; the qwen2
 * weights are stored as BF16 and the reference used the BF16-rounded values; the qwen3 case has an
 * explicit head_dim 16 and attention biases.
 */
class DecoderGoldenTest {

    static final double TOLERANCE = 1e-4;

    @BeforeAll
    static void oneThread() {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    static Path folder(String arch) throws Exception {
        return Path.of(DecoderGoldenTest.class.getResource("/decoder/" + arch + "/config.json").toURI()).getParent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3"})
    void logitsMatchTheReference(String arch) throws Exception {
        Path dir = folder(arch);
        try (SafetensorsFile golden = SafetensorsFile.open(dir.resolve("golden.safetensors"));
             DecoderModel model = DecoderModel.load(dir)) {
            assertEquals(DecoderArchitecture.valueOf(arch.toUpperCase()), model.config().architecture());
            long[] shape = golden.info("logits").shape();
            int b = (int) shape[0];
            int t = (int) shape[1];
            int v = (int) shape[2];
            long[] ids = golden.longs("input_ids");
            long[] mask = golden.longs("attention_mask");
            float[] expected = golden.floats("logits");
            int[][] rows = new int[b][];
            for (int r = 0; r < b; r++) {
                int n = 0;
                for (int j = 0; j < t; j++) {
                    n += (int) mask[r * t + j];
                }
                rows[r] = new int[n];
                for (int j = 0; j < n; j++) {
                    rows[r][j] = (int) ids[r * t + (t - n) + j];
                }
            }
            try (NDManager scope = model.newScope()) {
                float[] actual = model.logits(scope, rows, 0, false).toFloatArray();
                assertEquals(expected.length, actual.length);
                double worst = 0;
                int compared = 0;
                for (int r = 0; r < b; r++) {
                    for (int j = t - rows[r].length; j < t; j++) {
                        for (int k = 0; k < v; k++) {
                            int i = (r * t + j) * v + k;
                            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
                            compared++;
                        }
                    }
                }
                assertEquals(12 * v, compared);
                System.out.println(arch + " worst " + worst);
                assertTrue(worst <= TOLERANCE, arch + ": largest logit difference " + worst);

                // each row alone scores the same as in the padded batch
                for (int r = 0; r < b; r++) {
                    NDArray alone = model.logits(scope, new int[][] {rows[r]}, 0, false);
                    NDArray inBatch = model.logits(scope, rows, 0, false)
                            .get(new NDIndex("{}, {}:", r, t - rows[r].length));
                    float[] a = alone.squeeze(0).toFloatArray();
                    float[] p = inBatch.toFloatArray();
                    assertEquals(a.length, p.length);
                    for (int i = 0; i < a.length; i++) {
                        assertEquals(a[i], p[i], 1e-5, arch + " row " + r + " element " + i);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3"})
    void parameterNamesAreTransformersNames(String arch) throws Exception {
        Path dir = folder(arch);
        try (SafetensorsFile weights = SafetensorsFile.open(dir.resolve("model.safetensors"));
             DecoderModel model = DecoderModel.load(dir)) {
            String[] ours = model.parameterNames().stream().sorted().toArray(String[]::new);
            String[] theirs = weights.names().stream().sorted().toArray(String[]::new);
            assertArrayEquals(theirs, ours, Arrays.toString(ours));
        }
    }
}
