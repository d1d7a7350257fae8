package io.rlstream.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.rlstream.model.decoder.DecoderModel;
import io.rlstream.model.generate.DecoderGenerator.Mode;
import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.hf.DecoderConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Generation with the key/value cache against recomputing the whole sequence, against the full
 * forward's argmax, padded against alone, and stopping. Models: the tiny random checkpoints of the
 * golden tests (llama with llama3 rope scaling, qwen2 with BF16 weights and q/k/v biases, qwen3
 * with explicit head_dim, q/k norms and attention biases; vocabulary 64).
 */
class DecoderGeneratorTest {

    private static final List<int[]> PROMPTS = List.of(
            new int[] {5, 9, 13, 2, 7, 40, 41}, new int[] {4, 11}, new int[] {30});
    private static final long[] SEEDS = {11, 12, 13};

    @BeforeAll
    static void oneThread() {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    static Path folder(String arch) throws Exception {
        return Path.of(DecoderGeneratorTest.class.getResource("/decoder/" + arch + "/config.json").toURI())
                .getParent();
    }

    private static void assertSame(List<Completion> expected, List<Completion> actual, String what) {
        assertEquals(expected.size(), actual.size());
        for (int r = 0; r < expected.size(); r++) {
            Completion e = expected.get(r);
            Completion a = actual.get(r);
            assertArrayEquals(e.tokens(), a.tokens(), what + " row " + r + " tokens");
            assertEquals(e.finishReason(), a.finishReason(), what + " row " + r);
            float[] el = e.logprobs();
            float[] al = a.logprobs();
            for (int i = 0; i < el.length; i++) {
                assertEquals(el[i], al[i], 1e-5, what + " row " + r + " logprob " + i);
            }
        }
    }

    /**
     * The golden models, plus two random ones: llama with groups of 3 query heads per key/value head
     * (6 on 2, untied) and qwen2 with as many key/value heads as query heads (tied).
     */
    private static DecoderModel model(String name) throws Exception {
        return switch (name) {
            case "llama-groups3" -> DecoderModel.create(
                    DecoderConfig.of(DecoderArchitecture.LLAMA, 64, 24, 40, 2, 6, 2, false), 21);
            case "qwen2-mha" -> DecoderModel.create(
                    DecoderConfig.of(DecoderArchitecture.QWEN2, 64, 16, 24, 2, 4, 4, true), 22);
            default -> DecoderModel.load(folder(name));
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3", "llama-groups3", "qwen2-mha"})
    void cacheGivesTheSameTokensAndLogprobsAsRecomputing(String arch) throws Exception {
        try (DecoderModel model = model(arch)) {
            DecoderGenerator gen = new DecoderGenerator(model);
            for (SamplingParams p : List.of(SamplingParams.greedy(10),
                    SamplingParams.sample(1.0, 1.0, 10), SamplingParams.sample(0.7, 0.9, 10),
                    new SamplingParams(1.3, 0.95, 20, 10, null))) {
                List<Completion> cached = gen.generate(PROMPTS, p, SEEDS, Mode.KV_CACHE);
                List<Completion> recomputed = gen.generate(PROMPTS, p, SEEDS, Mode.RECOMPUTE);
                assertSame(recomputed, cached, arch + " " + p);
                for (Completion c : cached) {
                    assertEquals(10, c.tokens().length);
                    assertEquals(FinishReason.LENGTH, c.finishReason());
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3"})
    void greedyIsTheArgmaxOfTheFullForwardAtEachPosition(String arch) throws Exception {
        try (DecoderModel model = DecoderModel.load(folder(arch))) {
            int v = model.config().vocabSize();
            List<Completion> out = new DecoderGenerator(model).generate(PROMPTS, SamplingParams.greedy(8), 1L);
            for (int r = 0; r < PROMPTS.size(); r++) {
                int[] prompt = PROMPTS.get(r);
                int[] tokens = out.get(r).tokens();
                float[] lps = out.get(r).logprobs();
                int[] full = new int[prompt.length + tokens.length];
                System.arraycopy(prompt, 0, full, 0, prompt.length);
                System.arraycopy(tokens, 0, full, prompt.length, tokens.length);
                float[] logits;
                try (NDManager scope = model.newScope()) {
                    logits = model.logits(scope, new int[][] {full}, 0, false).toFloatArray();
                }
                for (int i = 0; i < tokens.length; i++) {
                    int at = (prompt.length - 1 + i) * v; // the position that predicts token i
                    int best = 0;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < v; k++) {
                        if (logits[at + k] > max) {
                            max = logits[at + k];
                            best = k;
                        }
                    }
                    double z = 0;
                    for (int k = 0; k < v; k++) {
                        z += Math.exp(logits[at + k] - max);
                    }
                    assertEquals(best, tokens[i], arch + " row " + r + " token " + i);
                    assertEquals(-Math.log(z), lps[i], 1e-5, arch + " row " + r + " logprob " + i);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3"})
    void aPaddedBatchGeneratesWhatEachPromptGeneratesAlone(String arch) throws Exception {
        try (DecoderModel model = DecoderModel.load(folder(arch))) {
            DecoderGenerator gen = new DecoderGenerator(model);
            SamplingParams p = SamplingParams.sample(0.8, 0.95, 9);
            List<Completion> batch = gen.generate(PROMPTS, p, SEEDS, Mode.KV_CACHE);
            for (int r = 0; r < PROMPTS.size(); r++) {
                List<Completion> alone = gen.generate(List.of(PROMPTS.get(r)), p, new long[] {SEEDS[r]},
                        Mode.KV_CACHE);
                assertSame(alone, List.of(batch.get(r)), arch + " row " + r);
            }
        }
    }

    @Test
    void stopsAtAStopTokenAndKeepsIt() throws Exception {
        try (DecoderModel model = DecoderModel.load(folder("qwen3"))) {
            DecoderGenerator gen = new DecoderGenerator(model);
            SamplingParams p = SamplingParams.sample(1.0, 1.0, 12);
            List<Completion> free = gen.generate(PROMPTS, p, SEEDS, Mode.KV_CACHE);
            int[] row0 = free.get(0).tokens();
            int stop = row0[3];
            int first = 0;
            while (row0[first] != stop) {
                first++;
            }
            for (Mode mode : Mode.values()) {
                List<Completion> stopped = gen.generate(PROMPTS, p.withStopTokenIds(stop, 63), SEEDS, mode);
                for (int r = 0; r < PROMPTS.size(); r++) {
                    int[] all = free.get(r).tokens();
                    int end = 0;
                    while (end < all.length && all[end] != stop && all[end] != 63) {
                        end++;
                    }
                    Completion c = stopped.get(r);
                    if (end < all.length) {
                        assertEquals(FinishReason.STOP, c.finishReason(), mode + " row " + r);
                        assertArrayEquals(java.util.Arrays.copyOf(all, end + 1), c.tokens(), mode + " row " + r);
                    } else {
                        assertEquals(FinishReason.LENGTH, c.finishReason(), mode + " row " + r);
                        assertArrayEquals(all, c.tokens(), mode + " row " + r);
                    }
                    float[] lp = c.logprobs();
                    float[] freeLp = free.get(r).logprobs();
                    for (int i = 0; i < lp.length; i++) {
                        assertEquals(freeLp[i], lp[i], 1e-5);
                    }
                }
            }
            assertEquals(first + 1, gen.generate(PROMPTS, p.withStopTokenIds(stop), SEEDS, Mode.KV_CACHE)
                    .get(0).tokens().length);
        }
    }

    /** eos ids from generation_config.json (a list), else from config.json, stop generation. */
    @Test
    void stopsAtEosFromTheModelFolder(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        DecoderConfig config = DecoderConfig.of(DecoderArchitecture.QWEN3, 64, 16, 24, 2, 4, 2, true);
        List<int[]> prompt = List.of(new int[] {3, 1, 4, 1, 5});
        long[] seed = {7};
        int eos;
        int first;
        try (DecoderModel model = DecoderModel.create(config, 9)) {
            int[] free = new DecoderGenerator(model).generate(prompt, SamplingParams.sample(1.0, 1.0, 8), seed,
                    Mode.KV_CACHE).get(0).tokens();
            eos = free[2];
            first = 0;
            while (free[first] != eos) {
                first++;
            }
            model.save(dir, io.rlstream.model.safetensors.Dtype.F32, DecoderModel.DEFAULT_MAX_SHARD_BYTES);
        }
        java.nio.file.Files.writeString(dir.resolve("generation_config.json"),
                "{\"eos_token_id\": [" + (eos == 63 ? 62 : 63) + ", " + eos + "], \"temperature\": 1.0, \"top_p\": 1.0}");
        try (DecoderModel model = DecoderModel.load(dir)) {
            SamplingParams p = GenerationConfig.read(dir).samplingParams(model.config(), 8);
            Completion c = new DecoderGenerator(model).generate(prompt, p, seed, Mode.KV_CACHE).get(0);
            assertEquals(FinishReason.STOP, c.finishReason());
            assertEquals(first + 1, c.tokens().length);
            assertEquals(eos, c.tokens()[first]);
        }
        // no generation_config.json: config.json's eos_token_id
        java.nio.file.Files.delete(dir.resolve("generation_config.json"));
        DecoderConfig.read(dir).withTokenIds(null, List.of(eos), null).write(dir);
        try (DecoderModel model = DecoderModel.load(dir)) {
            SamplingParams p = GenerationConfig.read(dir).samplingParams(model.config(), 8);
            assertArrayEquals(new int[] {eos}, p.stopTokenIds());
            Completion c = new DecoderGenerator(model).generate(prompt, p, seed, Mode.KV_CACHE).get(0);
            assertEquals(FinishReason.STOP, c.finishReason());
            assertEquals(first + 1, c.tokens().length);
        }
    }

    @Test
    void seededAndReproducibleAndDependsOnTheSeed() throws Exception {
        try (DecoderModel model = DecoderModel.load(folder("llama"))) {
            DecoderGenerator gen = new DecoderGenerator(model);
            SamplingParams p = SamplingParams.sample(1.0, 1.0, 16);
            List<Completion> a = gen.generate(PROMPTS, p, 42L);
            List<Completion> b = gen.generate(PROMPTS, p, 42L);
            List<Completion> c = gen.generate(PROMPTS, p, 43L);
            for (int r = 0; r < PROMPTS.size(); r++) {
                assertArrayEquals(a.get(r).tokens(), b.get(r).tokens());
                assertArrayEquals(a.get(r).logprobs(), b.get(r).logprobs());
            }
            assertNotEquals(java.util.Arrays.toString(a.get(0).tokens()), java.util.Arrays.toString(c.get(0).tokens()));
        }
    }

    @Test
    void leavesGradModeAsItWasAndChecksItsInputs() throws Exception {
        DecoderConfig config = DecoderConfig.of(DecoderArchitecture.QWEN2, 40, 16, 24, 1, 4, 2, true);
        try (DecoderModel model = DecoderModel.create(config, 3)) {
            DecoderGenerator gen = new DecoderGenerator(model);
            boolean before = JniUtils.isGradMode();
            List<Completion> out = gen.generate(List.of(new int[] {1, 2}), SamplingParams.greedy(3), 0L);
            assertEquals(3, out.get(0).tokens().length);
            assertEquals(before, JniUtils.isGradMode());
            assertEquals(0, gen.generate(List.of(new int[] {1}), SamplingParams.greedy(0), 0L)
                    .get(0).tokens().length);
            assertThrows(IllegalArgumentException.class,
                    () -> gen.generate(List.of(new int[0]), SamplingParams.greedy(3), 0L));
            assertThrows(IllegalArgumentException.class,
                    () -> gen.generate(List.of(new int[] {40}), SamplingParams.greedy(3), 0L));
            assertTrue(gen.generate(List.of(), SamplingParams.greedy(3), 0L).isEmpty());
        }
    }
}
