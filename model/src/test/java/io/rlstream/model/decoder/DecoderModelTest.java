package io.rlstream.model.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.model.safetensors.Dtype;
import io.rlstream.model.safetensors.FloatFormats;
import io.rlstream.model.safetensors.SafetensorsCheckpoint;
import io.rlstream.model.safetensors.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecoderModelTest {

    @TempDir
    Path dir;

    private static final int[][] ROWS = {{5, 9, 13, 2, 7}, {4, 11}, {30}};

    @BeforeAll
    static void oneThread() {
        DecoderGoldenTest.oneThread();
    }

    private static DecoderConfig tiny(DecoderArchitecture arch, boolean tied) {
        return DecoderConfig.of(arch, 40, 16, 24, 2, 4, 2, tied).withTokenIds(1, List.of(2), 0);
    }

    private static Map<String, float[]> weights(DecoderModel model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.network().parametersByHfName().forEach((name, p) -> out.put(name, p.getArray().toFloatArray()));
        return out;
    }

    private static float[] logits(DecoderModel model) {
        try (NDManager scope = model.newScope()) {
            return model.logits(scope, ROWS, 0, false).toFloatArray();
        }
    }

    @Test
    void f32SaveLoadIsBitExact() throws Exception {
        try (DecoderModel model = DecoderModel.create(tiny(DecoderArchitecture.QWEN3, false), 7)) {
            model.save(dir, Dtype.F32, DecoderModel.DEFAULT_MAX_SHARD_BYTES);
            assertTrue(Files.exists(dir.resolve("config.json")));
            assertTrue(Files.exists(dir.resolve("model.safetensors")));
            try (DecoderModel back = DecoderModel.load(dir)) {
                assertEquals(model.config(), back.config());
                Map<String, float[]> a = weights(model);
                Map<String, float[]> b = weights(back);
                assertEquals(a.keySet(), b.keySet());
                a.forEach((name, values) -> assertArrayEquals(values, b.get(name), name));
                assertArrayEquals(logits(model), logits(back));
            }
        }
    }

    @Test
    void bf16SaveStoresRoundedWeightsAndTheDtype() throws Exception {
        try (DecoderModel model = DecoderModel.create(tiny(DecoderArchitecture.LLAMA, false), 3)) {
            model.save(dir, Dtype.BF16, DecoderModel.DEFAULT_MAX_SHARD_BYTES);
            assertEquals("bfloat16", DecoderConfig.read(dir).torchDtype());
            try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
                assertEquals(Dtype.BF16, c.info("model.layers.1.mlp.down_proj.weight").dtype());
                assertEquals("pt", c.file("lm_head.weight").metadata().get("format"));
            }
            try (DecoderModel back = DecoderModel.load(dir)) {
                Map<String, float[]> b = weights(back);
                weights(model).forEach((name, values) -> {
                    float[] rounded = values.clone();
                    for (int i = 0; i < rounded.length; i++) {
                        rounded[i] = FloatFormats.roundToBf16(rounded[i]);
                    }
                    assertArrayEquals(rounded, b.get(name), name);
                });
            }
        }
    }

    @Test
    void tiedHeadIsNotWrittenAndShardsLoad() throws Exception {
        try (DecoderModel tied = DecoderModel.create(tiny(DecoderArchitecture.QWEN2, true), 1)) {
            tied.save(dir, Dtype.F32, 4_000);
            assertTrue(Files.exists(dir.resolve(SafetensorsWriter.INDEX_FILE)));
            try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
                assertFalse(c.contains("lm_head.weight"));
                assertTrue(c.contains("model.layers.0.self_attn.q_proj.bias"));
                assertFalse(c.contains("model.layers.0.self_attn.o_proj.bias"));
                assertTrue(c.files().size() > 1);
            }
            try (DecoderModel back = DecoderModel.load(dir)) {
                assertArrayEquals(logits(tied), logits(back));
            }
        }
        try (DecoderModel untied = DecoderModel.create(tiny(DecoderArchitecture.QWEN2, false), 1)) {
            assertTrue(untied.parameterNames().contains("lm_head.weight"));
        }
    }

    @Test
    void seedDecidesTheWeights() {
        try (DecoderModel a = DecoderModel.create(tiny(DecoderArchitecture.LLAMA, true), 5);
             DecoderModel b = DecoderModel.create(tiny(DecoderArchitecture.LLAMA, true), 5);
             DecoderModel c = DecoderModel.create(tiny(DecoderArchitecture.LLAMA, true), 6)) {
            assertArrayEquals(logits(a), logits(b));
            assertFalse(java.util.Arrays.equals(logits(a), logits(c)));
            float[] norm = a.network().parametersByHfName().get("model.norm.weight").getArray().toFloatArray();
            assertEquals(1f, norm[0]);
            assertEquals(a.config().parameterCount(),
                    a.network().parametersByHfName().values().stream().mapToLong(p -> p.getArray().size()).sum());
        }
    }

    @Test
    void missingAndMisshapenWeightsAreReported() throws Exception {
        try (DecoderModel model = DecoderModel.create(tiny(DecoderArchitecture.LLAMA, false), 2)) {
            model.save(dir, Dtype.F32, DecoderModel.DEFAULT_MAX_SHARD_BYTES);
        }
        // the same folder read as a model with another intermediate size, then with a missing lm_head
        DecoderConfig wider = DecoderConfig.parse(Files.readString(dir.resolve("config.json"))
                .replace("\"intermediate_size\": 24", "\"intermediate_size\": 32"));
        wider.write(dir);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DecoderModel.load(dir));
        assertTrue(e.getMessage().contains("tensor 'model.layers.0.mlp.gate_proj.weight' has shape [24, 16], "
                + "the model expects [32, 16]"), e.getMessage());
        try (DecoderModel model = DecoderModel.create(tiny(DecoderArchitecture.LLAMA, true), 2)) {
            model.save(dir, Dtype.F32, DecoderModel.DEFAULT_MAX_SHARD_BYTES);
        }
        DecoderConfig untied = DecoderConfig.parse(Files.readString(dir.resolve("config.json"))
                .replace("\"tie_word_embeddings\": true", "\"tie_word_embeddings\": false"));
        untied.write(dir);
        e = assertThrows(IllegalArgumentException.class, () -> DecoderModel.load(dir));
        assertTrue(e.getMessage().contains("1 weights of the llama model are missing, first [lm_head.weight]"),
                e.getMessage());
    }

    /**
     * Gradients of the mean next-token cross-entropy against central finite differences, for
     * elements of every kind of parameter (qwen3 with biases covers all of them).
     */
    @Test
    void gradientsMatchFiniteDifferences() {
        DecoderConfig config = DecoderConfig.parse(tiny(DecoderArchitecture.QWEN3, false).toJsonString()
                .replace("\"attention_bias\": false", "\"attention_bias\": true"));
        try (DecoderModel model = DecoderModel.create(config, 11)) {
            // larger weights than the 0.02 initialisation so that every path carries signal
            DecoderWeights.initialize(model.network(), 0.3, 11);
            Map<String, Parameter> params = model.network().parametersByHfName();
            for (Parameter p : params.values()) {
                NDArray a = p.getArray();
                float[] v = a.toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] += 0.1f * (float) Math.sin(i + 1); // perturb norms and biases off 1 and 0
                }
                a.set(java.nio.FloatBuffer.wrap(v));
            }
            String[] names = {"model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
                "model.layers.0.self_attn.k_proj.bias", "model.layers.1.self_attn.v_proj.weight",
                "model.layers.0.self_attn.o_proj.bias", "model.layers.1.self_attn.q_norm.weight",
                "model.layers.0.self_attn.k_norm.weight", "model.layers.0.mlp.gate_proj.weight",
                "model.layers.1.mlp.up_proj.weight", "model.layers.1.mlp.down_proj.weight",
                "model.layers.0.input_layernorm.weight", "model.layers.1.post_attention_layernorm.weight",
                "model.norm.weight", "lm_head.weight"};
            Map<String, float[]> grads = new LinkedHashMap<>();
            try (NDManager scope = model.newScope();
                 GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = loss(model, scope, true);
                collector.backward(loss);
                for (String name : names) {
                    NDArray g = params.get(name).getArray().getGradient();
                    grads.put(name, g.toFloatArray());
                    g.close();
                }
            }
            for (String name : names) {
                NDArray array = params.get(name).getArray();
                float[] values = array.toFloatArray();
                int index = name.equals("model.embed_tokens.weight")
                        ? ROWS[0][1] * config.hiddenSize() + 3 // a row of a token in the input (untied head)
                        : (int) ((values.length * 0.37) + 1) % values.length;
                float eps = 1e-2f;
                float saved = values[index];
                values[index] = saved + eps;
                array.set(java.nio.FloatBuffer.wrap(values));
                double plus = lossValue(model);
                values[index] = saved - eps;
                array.set(java.nio.FloatBuffer.wrap(values));
                double minus = lossValue(model);
                values[index] = saved;
                array.set(java.nio.FloatBuffer.wrap(values));
                double numeric = (plus - minus) / (2 * eps);
                double analytic = grads.get(name)[index];
                System.out.printf("gradient %s[%d]: analytic %.6f, finite difference %.6f%n", name, index, analytic, numeric);
                assertEquals(numeric, analytic, 2e-3 + 2e-2 * Math.abs(numeric),
                        name + "[" + index + "] numeric " + numeric + " analytic " + analytic);
                assertNotEquals(0.0, analytic, name);
            }
        }
    }

    private static double lossValue(DecoderModel model) {
        try (NDManager scope = model.newScope()) {
            return loss(model, scope, false).getFloat();
        }
    }

    /** Mean cross-entropy of each real token after the first given the ones before it. */
    private static NDArray loss(DecoderModel model, NDManager scope, boolean training) {
        NDArray logits = model.logits(scope, ROWS, 0, training);
        long t = logits.getShape().get(1);
        NDArray logProbs = logits.logSoftmax(-1);
        float[] select = new float[(int) logits.getShape().size()];
        int v = model.config().vocabSize();
        int count = 0;
        for (int r = 0; r < ROWS.length; r++) {
            int pad = (int) t - ROWS[r].length;
            for (int j = 1; j < ROWS[r].length; j++) {
                // position pad + j - 1 predicts token j
                select[(int) ((r * t + pad + j - 1) * v + ROWS[r][j])] = 1f;
                count++;
            }
        }
        NDArray weights = scope.create(select, logits.getShape());
        return logProbs.mul(weights).sum().neg().div(count);
    }

    @Test
    void inputsCountPositionsFromTheFirstRealToken() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            DecoderInputs in = DecoderInputs.leftPadded(manager, new int[][] {{7, 8, 9}, {5}}, 0);
            assertArrayEquals(new long[] {7, 8, 9, 0, 0, 5}, in.tokens().toLongArray());
            assertArrayEquals(new long[] {0, 1, 2, 1, 1, 0}, in.positions().toLongArray());
            assertArrayEquals(new int[] {0, 2}, in.padding());
            assertEquals(new Shape(2, 1, 3, 3), in.mask().getShape());
            float[] m = in.mask().toFloatArray();
            // row 1, query 2 (its only real token) sees key 2 only
            assertEquals(0f, m[9 + 2 * 3 + 2]);
            assertTrue(m[9 + 2 * 3 + 1] <= DecoderInputs.MASKED);
            // row 0, query 1 sees keys 0 and 1, not 2
            assertEquals(0f, m[3]);
            assertEquals(0f, m[4]);
            assertTrue(m[5] <= DecoderInputs.MASKED);
        }
    }
}
