package io.rlstream.model.folder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.model.decoder.DecoderModel;
import io.rlstream.model.generate.GenerationConfig;
import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.model.safetensors.Dtype;
import io.rlstream.model.safetensors.FloatFormats;
import io.rlstream.model.safetensors.SafetensorsFile;
import io.rlstream.model.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model folder in Hugging Face layout: round trips, atomic replacement, and what transformers reads. */
class ModelFolderTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void oneThread() {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    /** vocabulary 16 (the demo tokenizer's), hidden 16, 2 layers, 4 heads on 2 kv heads. */
    private static DecoderConfig tiny(DecoderArchitecture arch, boolean tied) {
        return DecoderConfig.of(arch, 16, 16, 24, 2, 4, 2, tied).withTokenIds(1, List.of(2), 0);
    }

    private static Map<String, float[]> weights(DecoderModel model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.network().parametersByHfName().forEach((name, p) -> out.put(name, p.getArray().toFloatArray()));
        return out;
    }

    private static void assertSameWeights(Map<String, float[]> expected, Map<String, float[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, values) -> assertArrayEquals(values, actual.get(name), name));
    }

    private static ModelFolder write(Path dir, DecoderModel model, Dtype dtype) throws IOException {
        return ModelFolder.write(dir, model, dtype, DecoderModel.DEFAULT_MAX_SHARD_BYTES,
                TokenizerFiles.of(CharTokenizer.arithmetic()), null);
    }

    private static Set<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static JsonObject json(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    @Test
    void f32RoundTripIsBitExactWithConfigTokenizerAndGenerationConfig() throws Exception {
        Path dir = tmp.resolve("m");
        DecoderConfig config = tiny(DecoderArchitecture.LLAMA, false);
        try (DecoderModel model = DecoderModel.create(config, 3)) {
            ModelFolder folder = write(dir, model, Dtype.F32);
            assertEquals(List.of("tokenizer.json", "tokenizer_config.json"), folder.tokenizerFiles());
            assertEquals(config, folder.config(), "config.json reads back equal (torch_dtype float32)");
            assertEquals(List.of(2), folder.generation().eosTokenIds());
            assertEquals(1, folder.generation().bosTokenId());
            assertEquals(0, folder.generation().padTokenId());
            try (DecoderModel loaded = folder.loadModel()) {
                assertSameWeights(weights(model), weights(loaded));
            }
            try (var tok = folder.loadTokenizer()) {
                assertArrayEquals(CharTokenizer.arithmetic().encodePrompt("37+48="), tok.encode("37+48=", true));
            }
        }
    }

    @Test
    void bf16StoresRoundedWeightsAndSaysSoInTorchDtype() throws Exception {
        Path dir = tmp.resolve("m");
        try (DecoderModel model = DecoderModel.create(tiny(DecoderArchitecture.QWEN3, true), 4)) {
            ModelFolder folder = write(dir, model, Dtype.BF16);
            assertEquals("bfloat16", folder.config().torchDtype());
            assertEquals("bfloat16", json(dir.resolve("config.json")).get("torch_dtype").getAsString());
            try (DecoderModel loaded = folder.loadModel()) {
                Map<String, float[]> rounded = new LinkedHashMap<>();
                weights(model).forEach((name, values) -> {
                    float[] r = new float[values.length];
                    for (int i = 0; i < r.length; i++) {
                        r[i] = FloatFormats.roundToBf16(values[i]);
                    }
                    rounded.put(name, r);
                });
                assertSameWeights(rounded, weights(loaded));
            }
        }
    }

    /** What transformers' from_pretrained reads: the file names, architectures, a torch_dtype that is the tensors'. */
    @Test
    void theFolderHasWhatTransformersReads() throws Exception {
        for (Dtype dtype : List.of(Dtype.F32, Dtype.BF16)) {
            for (boolean tied : List.of(true, false)) {
                Path dir = tmp.resolve("m-" + dtype + "-" + tied);
                try (DecoderModel model = DecoderModel.create(tiny(DecoderArchitecture.QWEN2, tied), 5)) {
                    write(dir, model, dtype);
                }
                assertEquals(Set.of("config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
                        "tokenizer_config.json"), fileNames(dir));
                JsonObject config = json(dir.resolve("config.json"));
                assertEquals("Qwen2ForCausalLM", config.getAsJsonArray("architectures").get(0).getAsString());
                assertEquals("qwen2", config.get("model_type").getAsString());
                assertEquals(tied, config.get("tie_word_embeddings").getAsBoolean());
                String torchDtype = dtype == Dtype.BF16 ? "bfloat16" : "float32";
                assertEquals(torchDtype, config.get("torch_dtype").getAsString());
                assertEquals(2, json(dir.resolve("generation_config.json")).get("eos_token_id").getAsInt());
                try (SafetensorsFile file = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
                    assertEquals(Map.of("format", "pt"), file.metadata());
                    for (TensorInfo info : file.tensors().values()) {
                        assertEquals(dtype, info.dtype(), info.name());
                    }
                    assertEquals(!tied, file.contains("lm_head.weight"), "lm_head is written only when untied");
                    assertTrue(file.contains("model.embed_tokens.weight"));
                    assertTrue(file.contains("model.layers.1.self_attn.q_proj.bias"), "qwen2 has q/k/v biases");
                }
            }
        }
    }

    @Test
    void shardedWeightsLoadBackAndAreListed() throws Exception {
        Path dir = tmp.resolve("m");
        try (DecoderModel model = DecoderModel.create(tiny(DecoderArchitecture.LLAMA, false), 6)) {
            // the model holds 4,480 fp32 values (17,920 bytes): 6 kB shards give several files
            ModelFolder folder = ModelFolder.write(dir, model, Dtype.F32, 6_000,
                    TokenizerFiles.of(CharTokenizer.arithmetic()), null);
            assertTrue(folder.weightFiles().size() >= 3, folder.weightFiles().toString());
            assertTrue(Files.exists(dir.resolve("model.safetensors.index.json")));
            assertFalse(Files.exists(dir.resolve("model.safetensors")));
            try (DecoderModel loaded = folder.loadModel()) {
                assertSameWeights(weights(model), weights(loaded));
            }
        }
    }

    @Test
    void aFailureBeforeTheRenameLeavesTheOldFolderIntactAndNoTemporaryFolder() throws Exception {
        Path dir = tmp.resolve("m");
        Map<String, float[]> v1;
        try (DecoderModel model = DecoderModel.create(tiny(DecoderArchitecture.LLAMA, true), 1)) {
            write(dir, model, Dtype.F32);
            v1 = weights(model);
        }
        try (DecoderModel model = DecoderModel.create(tiny(DecoderArchitecture.LLAMA, true), 2)) {
            // a crash after the weights and config of the new version are written, before the rename
            IOException e = assertThrows(IOException.class, () -> ModelFolder.write(dir, model, Dtype.F32,
                    DecoderModel.DEFAULT_MAX_SHARD_BYTES, TokenizerFiles.of(CharTokenizer.arithmetic()), null,
                    temp -> {
                        assertTrue(Files.exists(temp.resolve("model.safetensors")));
                        throw new IOException("disk full (simulated)");
                    }));
            assertEquals("disk full (simulated)", e.getMessage());
            // a failure while copying the tokenizer: the source has no tokenizer.json
            IOException e2 = assertThrows(IOException.class, () -> ModelFolder.write(dir, model, Dtype.F32,
                    DecoderModel.DEFAULT_MAX_SHARD_BYTES, TokenizerFiles.copyOf(tmp.resolve("nowhere")), null));
            assertTrue(e2.getMessage().contains("no tokenizer.json"), e2.getMessage());
            assertNotEquals(v1.get("model.embed_tokens.weight")[0], weights(model).get("model.embed_tokens.weight")[0]);
        }
        assertEquals(Set.of("m"), fileNames(tmp), "no temporary or moved-aside folder is left");
        try (DecoderModel loaded = ModelFolder.open(dir).loadModel()) {
            assertSameWeights(v1, weights(loaded));
        }
    }

    @Test
    void anExistingModelFolderIsReplacedAndNothingElseIs() throws Exception {
        Path dir = tmp.resolve("m");
        try (DecoderModel model = DecoderModel.create(tiny(DecoderArchitecture.QWEN2, true), 1)) {
            write(dir, model, Dtype.F32);
        }
        Files.writeString(dir.resolve("stale.txt"), "from the old version");
        Map<String, float[]> v2;
        try (DecoderModel model = DecoderModel.create(tiny(DecoderArchitecture.QWEN3, false), 2)) {
            ModelFolder folder = write(dir, model, Dtype.F32);
            v2 = weights(model);
            assertEquals(DecoderArchitecture.QWEN3, folder.config().architecture());
        }
        assertFalse(Files.exists(dir.resolve("stale.txt")), "the new folder replaces the old one whole");
        assertEquals(Set.of("m"), fileNames(tmp));
        try (DecoderModel loaded = ModelFolder.open(dir).loadModel()) {
            assertSameWeights(v2, weights(loaded));
        }

        // a folder that is not a model folder is never replaced (a mistyped --out)
        Path notes = tmp.resolve("notes");
        Files.createDirectories(notes);
        Files.writeString(notes.resolve("todo.txt"), "keep me");
        try (DecoderModel model = DecoderModel.create(tiny(DecoderArchitecture.QWEN2, true), 1)) {
            IOException e = assertThrows(IOException.class, () -> write(notes, model, Dtype.F32));
            assertTrue(e.getMessage().contains("not a model folder"), e.getMessage());
        }
        assertEquals("keep me", Files.readString(notes.resolve("todo.txt")));
    }

    @Test
    void republishingALoadedFolderCopiesItsTokenizerAndGenerationConfig() throws Exception {
        Path first = tmp.resolve("first");
        Path second = tmp.resolve("second");
        try (DecoderModel model = DecoderModel.create(tiny(DecoderArchitecture.LLAMA, true), 1)) {
            ModelFolder.write(first, model, Dtype.F32, DecoderModel.DEFAULT_MAX_SHARD_BYTES,
                    TokenizerFiles.of(CharTokenizer.arithmetic()),
                    GenerationConfig.parse("{\"eos_token_id\": [2], \"temperature\": 0.7, \"top_p\": 0.9}"));
        }
        ModelFolder source = ModelFolder.open(first);
        try (DecoderModel model = source.loadModel()) {
            ModelFolder.write(second, model, Dtype.BF16, DecoderModel.DEFAULT_MAX_SHARD_BYTES,
                    source.tokenizerSource(), source.generation());
        }
        for (String name : List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json")) {
            assertEquals(Files.readString(first.resolve(name)), Files.readString(second.resolve(name)), name);
        }
        assertEquals(0.7, ModelFolder.open(second).generation().temperature());
    }

    @Test
    void openingSomethingElseSaysWhatIsMissing() throws Exception {
        IOException e = assertThrows(IOException.class, () -> ModelFolder.open(tmp.resolve("missing")));
        assertTrue(e.getMessage().contains("not a folder"), e.getMessage());
        Files.createDirectories(tmp.resolve("empty"));
        e = assertThrows(IOException.class, () -> ModelFolder.open(tmp.resolve("empty")));
        assertTrue(e.getMessage().contains("no config.json"), e.getMessage());
    }

    @Test
    void initTakesTheVocabularyAndSpecialIdsFromTheTokenizer() throws Exception {
        ModelInit init = new ModelInit(DecoderArchitecture.QWEN3, 2, 24, 4, 2, 32, 8, null, true, 9, Dtype.F32);
        ModelFolder folder = init.write(ModelInit.DEMO_TOKENIZER, tmp.resolve("q"));
        DecoderConfig c = folder.config();
        assertEquals(16, c.vocabSize());
        assertEquals(24, c.hiddenSize());
        assertEquals(8, c.headDim(), "head_dim given: 4 heads x 8 = 32 != hidden 24");
        assertEquals(1, c.bosTokenId());
        assertEquals(List.of(2), c.eosTokenIds());
        assertEquals(0, c.padTokenId());
        assertTrue(c.tieWordEmbeddings());
        try (DecoderModel a = folder.loadModel(); DecoderModel b = DecoderModel.create(c.withTorchDtype("float32"), 9)) {
            assertSameWeights(weights(b), weights(a));
        }
        // --vocab larger than the tokenizer (padded, as Qwen's 151936 for 151669 ids), never smaller
        ModelInit padded = new ModelInit(DecoderArchitecture.LLAMA, 1, 16, 2, 2, 16, null, 32, false, 1, Dtype.F32);
        assertEquals(32, padded.write(ModelInit.DEMO_TOKENIZER, tmp.resolve("p")).config().vocabSize());
        ModelInit small = new ModelInit(DecoderArchitecture.LLAMA, 1, 16, 2, 2, 16, null, 8, false, 1, Dtype.F32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> small.write(ModelInit.DEMO_TOKENIZER, tmp.resolve("s")));
        assertTrue(e.getMessage().contains("smaller than the tokenizer's 16"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("s")));
    }
}
