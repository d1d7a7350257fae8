package io.rlstream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.rlstream.model.folder.ModelFolder;
import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.tokenizer.CharTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyTest {

    private static final CharTokenizer TOKENIZER = CharTokenizer.arithmetic();
    /** Prompts of three different lengths, so padding and masking are exercised. */
    private static final List<int[]> PROMPTS = List.of(
            TOKENIZER.encodePrompt("37+48="),
            TOKENIZER.encodePrompt("3+4="),
            TOKENIZER.encodePrompt("5+60="),
            TOKENIZER.encodePrompt("99+99="));

    private static Policy policy;

    @BeforeAll
    static void createPolicy() {
        policy = Policy.create(PolicyConfig.demo(), 7);
    }

    @AfterAll
    static void closePolicy() {
        policy.close();
    }

    @Test
    void sampleReturnsOneGenerationPerPromptWithConsistentShapes() {
        List<Generation> out = policy.sample(PROMPTS, 5, 1f, 1);
        assertEquals(PROMPTS.size(), out.size());
        for (Generation g : out) {
            assertTrue(g.tokens().length >= 1 && g.tokens().length <= 5);
            assertEquals(g.tokens().length, g.logprobs().length);
            int eosAt = indexOf(g.tokens(), CharTokenizer.EOS);
            // truncated exactly when no EOS was produced, and EOS can only be the last token
            assertEquals(eosAt < 0, g.truncated());
            assertTrue(eosAt < 0 || eosAt == g.tokens().length - 1);
            for (int token : g.tokens()) {
                assertTrue(token >= 0 && token < PolicyConfig.demo().vocabSize(), "token " + token + " in the vocabulary");
            }
            for (float lp : g.logprobs()) {
                assertTrue(lp <= 0f, "log-probabilities are <= 0, got " + lp);
            }
        }
    }

    @Test
    void sampleLogprobsEqualATeacherForcedRecomputation() {
        for (float temperature : new float[] {1f, 0.7f}) {
            List<Generation> out = policy.sample(PROMPTS, 5, temperature, 3);
            List<int[]> responses = new ArrayList<>();
            out.forEach(g -> responses.add(g.tokens()));
            try (NDManager scope = policy.newScope()) {
                float[] recomputed = policy.responseLogprobs(scope, PROMPTS, responses, temperature,
                        false).logprobs().toFloatArray();
                int width = recomputed.length / PROMPTS.size();
                for (int b = 0; b < out.size(); b++) {
                    float[] lp = out.get(b).logprobs();
                    for (int j = 0; j < width; j++) {
                        float expected = j < lp.length ? lp[j] : 0f; // padding scores 0
                        assertEquals(expected, recomputed[b * width + j], 1e-4,
                                "row " + b + " token " + j + " at temperature " + temperature);
                    }
                }
            }
        }
    }

    /** Rows sampled at different temperatures, scored in one batch each at its own, match the sampler's log-probs. */
    @Test
    void aBatchOfMixedTemperaturesScoresEachRowAtItsOwn() {
        float[] temperatures = new float[PROMPTS.size()];
        List<int[]> responses = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        for (int b = 0; b < PROMPTS.size(); b++) {
            temperatures[b] = b % 2 == 0 ? 0.5f : 2f;
            Generation g = policy.sample(List.of(PROMPTS.get(b)), 5, temperatures[b], 7 + b).get(0);
            responses.add(g.tokens());
            expected.add(g.logprobs());
        }
        try (NDManager scope = policy.newScope()) {
            float[] recomputed = policy.responseLogprobs(scope, PROMPTS, responses, temperatures, false).logprobs()
                    .toFloatArray();
            int width = recomputed.length / PROMPTS.size();
            for (int b = 0; b < PROMPTS.size(); b++) {
                for (int j = 0; j < expected.get(b).length; j++) {
                    assertEquals(expected.get(b)[j], recomputed[b * width + j], 1e-4, "row " + b + " token " + j);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> {
            try (NDManager scope = policy.newScope()) {
                policy.responseLogprobs(scope, PROMPTS, responses, new float[] {1, 1, 0, 1}, false);
            }
        });
    }

    @Test
    void entropyIsThatOfTheFullNextTokenDistribution() {
        // Score every one of the 16 tokens as a one-token response to the same prompt: their
        // probabilities are the next-token distribution p, and the entropy reported at position 0
        // must be −Σ p·log p of it (here at temperature 0.7).
        int vocab = PolicyConfig.demo().vocabSize();
        List<int[]> prompts = new ArrayList<>();
        List<int[]> responses = new ArrayList<>();
        for (int v = 0; v < vocab; v++) {
            prompts.add(PROMPTS.get(0));
            responses.add(new int[] {v});
        }
        try (NDManager scope = policy.newScope()) {
            TokenLogprobs scored = policy.responseLogprobs(scope, prompts, responses, 0.7f, false);
            float[] logp = scored.logprobs().toFloatArray();
            double expected = 0;
            double total = 0;
            for (float lp : logp) {
                expected -= Math.exp(lp) * lp;
                total += Math.exp(lp);
            }
            assertEquals(1.0, total, 1e-4, "the 16 one-token responses cover the distribution");
            float[] entropy = scored.entropy().toFloatArray();
            for (float e : entropy) {
                assertEquals(expected, e, 1e-4);
            }
            assertTrue(expected > 0 && expected <= Math.log(vocab) + 1e-6);
        }
    }

    /** The policy's tokenizer is the model folder's tokenizer.json: the demo's characters, same ids. */
    @Test
    void theTokenizerEncodesPromptsAsTheCharacterTokenizer() {
        assertArrayEquals(TOKENIZER.encodePrompt("37+48="), policy.tokenizer().encode("37+48=", true));
        assertEquals("85", policy.tokenizer().decode(TOKENIZER.encode("85"), true));
        assertArrayEquals(new int[] {CharTokenizer.EOS}, policy.stopTokenIds());
    }

    @Test
    void sameSeedSameSamplesAndGreedyIsDeterministic() {
        assertSameTokens(policy.sample(PROMPTS, 5, 1f, 11), policy.sample(PROMPTS, 5, 1f, 11));
        assertSameTokens(policy.greedy(PROMPTS, 5), policy.greedy(PROMPTS, 5));
    }

    @Test
    void aPromptScoresTheSameAloneAsInAPaddedBatch() {
        List<Generation> batch = policy.greedy(PROMPTS, 4);
        List<Generation> alone = policy.greedy(List.of(PROMPTS.get(1)), 4);
        assertArrayEquals(alone.get(0).tokens(), batch.get(1).tokens());
        assertArrayEquals(alone.get(0).logprobs(), batch.get(1).logprobs(), 1e-5f);
    }

    @Test
    void saveThenLoadGivesIdenticalOutputs(@TempDir Path dir) throws Exception {
        Path checkpoint = dir.resolve("step-1");
        policy.save(checkpoint, Map.of("version", "1"));
        assertTrue(Files.exists(checkpoint.resolve("model.safetensors")));
        // a Hugging Face model folder: the config, the tokenizer and the generation config with it
        ModelFolder folder = ModelFolder.open(checkpoint);
        assertEquals(DecoderArchitecture.QWEN3, folder.config().architecture());
        assertTrue(folder.hasTokenizer());
        assertEquals(List.of(CharTokenizer.EOS), folder.generation().eosTokenIds());
        assertEquals(Map.of("version", "1"), Policy.readMetadata(checkpoint));
        assertTrue(Files.readString(checkpoint.resolve("metadata.json")).contains("\"version\""));
        try (Stream<Path> entries = Files.list(dir)) {
            assertEquals(List.of("step-1"), entries.map(p -> p.getFileName().toString()).toList(),
                    "no temporary folder is left behind");
        }
        try (Policy loaded = Policy.load(checkpoint)) {
            assertEquals(policy.config(), loaded.config());
            assertSameGenerations(policy.sample(PROMPTS, 5, 1f, 5), loaded.sample(PROMPTS, 5, 1f, 5));
        }
        // in-place reload into a policy with other weights
        try (Policy other = Policy.create(PolicyConfig.demo(), 99)) {
            other.loadWeights(checkpoint);
            assertSameGenerations(policy.greedy(PROMPTS, 5), other.greedy(PROMPTS, 5));
        }
        // saving again to the same folder replaces it
        policy.save(checkpoint, Map.of("version", "2"));
        assertTrue(Files.readString(checkpoint.resolve("metadata.json")).contains("\"2\""));
    }

    /** saveAs(BF16): the weights are stored as BF16 and load back as the BF16 rounding of the fp32 ones. */
    @Test
    void aBf16CheckpointHoldsTheRoundedWeights(@TempDir Path dir) throws Exception {
        try (Policy p = Policy.create(PolicyConfig.demo(), 3)) {
            p.saveAs(io.rlstream.model.safetensors.Dtype.BF16).save(dir.resolve("bf16"), Map.of());
            try (io.rlstream.model.safetensors.SafetensorsCheckpoint c =
                         io.rlstream.model.safetensors.SafetensorsCheckpoint.open(dir.resolve("bf16"))) {
                assertEquals(io.rlstream.model.safetensors.Dtype.BF16, c.info("model.embed_tokens.weight").dtype());
            }
            assertEquals("bfloat16", ModelFolder.open(dir.resolve("bf16")).config().torchDtype());
            float[] original = p.parameters().get(0).getValue().getArray().toFloatArray();
            try (Policy loaded = Policy.load(dir.resolve("bf16"))) {
                float[] stored = loaded.parameters().get(0).getValue().getArray().toFloatArray();
                for (int i = 0; i < original.length; i++) {
                    assertEquals(io.rlstream.model.safetensors.FloatFormats.roundToBf16(original[i]), stored[i], 0f);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> p.saveAs(io.rlstream.model.safetensors.Dtype.F16));
        }
    }

    @Test
    void rejectsPromptsThatDoNotFitTheContext() {
        assertThrows(IllegalArgumentException.class,
                () -> policy.sample(PROMPTS, PolicyConfig.demo().contextLength(), 1f, 1));
        assertThrows(IllegalArgumentException.class,
                () -> policy.sample(List.of(new int[] {PolicyConfig.demo().vocabSize()}), 2, 1f, 1));
    }

    @Test
    void differentSeedsGiveDifferentInitialWeights() {
        try (Policy a = Policy.create(PolicyConfig.demo(), 1);
                Policy b = Policy.create(PolicyConfig.demo(), 1);
                Policy c = Policy.create(PolicyConfig.demo(), 2)) {
            assertSameGenerations(a.greedy(PROMPTS, 5), b.greedy(PROMPTS, 5));
            assertFalse(a.greedy(PROMPTS, 5).get(0).logprobs()[0]
                    == c.greedy(PROMPTS, 5).get(0).logprobs()[0]);
        }
    }

    private static int indexOf(int[] tokens, int token) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] == token) {
                return i;
            }
        }
        return -1;
    }

    private static void assertSameTokens(List<Generation> a, List<Generation> b) {
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).tokens(), b.get(i).tokens());
        }
    }

    private static void assertSameGenerations(List<Generation> a, List<Generation> b) {
        assertSameTokens(a, b);
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).logprobs(), b.get(i).logprobs(), 0f);
        }
    }
}
