package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.model.decoder.DecoderModel;
import io.rlstream.model.decoder.ResponseScorer;
import io.rlstream.model.folder.ModelFolder;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.model.tokenizer.HfTokenizer;
import io.rlstream.testkit.CommandConsole;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rlstream model init|inspect|score|generate on tiny models made by init: the numbers each prints
 * against the config, {@link ResponseScorer} and {@link DecoderModel#logits} computed here.
 */
class ModelCommandTest {

    @TempDir
    Path tmp;

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void oneThread() {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    /** Exit code, stdout and stderr of one call. */
    record Result(int code, String out, String err) {}

    private static Result runWithInput(String stdin, String... argv) {
        CommandConsole.Output o = CommandConsole.once(ModelCommand::run, stdin, argv);
        return new Result(o.status(), o.out(), o.err());
    }

    private static Result run(String... argv) {
        return runWithInput("", argv);
    }

    /** qwen3, 2 layers, hidden 32, 4 heads of 8 on 2 kv heads, intermediate 48, the demo tokenizer. */
    private Path qwen3(String dtype, boolean tied) {
        Path dir = tmp.resolve("qwen3-" + dtype + "-" + tied);
        List<String> argv = new ArrayList<>(List.of("init", "--arch", "qwen3", "--layers", "2", "--hidden", "32",
                "--heads", "4", "--kv-heads", "2", "--intermediate", "48", "--head-dim", "8", "--tokenizer", "demo",
                "--out", dir.toString(), "--seed", "3", "--dtype", dtype));
        if (tied) {
            argv.add("--tie-embeddings");
        }
        Result r = run(argv.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("wrote " + dir.toAbsolutePath().normalize() + ": qwen3, 2 layers"), r.out());
        return dir;
    }

    @Test
    void initThenInspectShowsTheCountsComputedFromTheConfig() throws Exception {
        // by hand: embed 16 x 32 = 512; per layer q 32x32 + k 32x16 + v 32x16 + o 32x32 = 3,072,
        // q_norm + k_norm 8 + 8, MLP 3 x 32 x 48 = 4,608, two norms 64: 7,760; 2 layers 15,520;
        // final norm 32. Tied: 512 + 15,520 + 32 = 16,064; untied adds lm_head 16 x 32 = 512.
        long tied = 512 + 2 * (3072 + 16 + 4608 + 64) + 32;
        assertEquals(16_064, tied);
        Path dir = qwen3("f32", true);
        JsonNode r = JSON.readTree(run("inspect", dir.toString(), "--json").out());
        assertEquals("qwen3 (Qwen3ForCausalLM)", r.get("architecture").asText());
        assertEquals(tied, r.at("/parameters/config").asLong());
        assertEquals(tied, r.at("/parameters/stored").asLong());
        assertEquals(24, r.at("/parameters/tensors").asInt(), "embed + 2 x (4 proj + 2 qk norms + 3 mlp + 2 norms) + norm");
        assertEquals(24, r.at("/dtypes/F32").asInt());
        assertEquals("float32", r.at("/config/torch_dtype").asText());
        assertEquals(8, r.at("/config/head_dim").asInt());
        assertEquals(16, r.at("/config/vocab_size").asInt());
        assertEquals("model.safetensors", r.at("/weights/0/file").asText());
        assertEquals(Files.size(dir.resolve("model.safetensors")), r.at("/weights/0/bytes").asLong());
        assertEquals(16, r.at("/tokenizer/ids").asInt());
        assertEquals("<eos> (2)", r.at("/tokenizer/eos").asText());
        assertEquals("none (no chat_template)", r.get("chat_format").asText());
        assertEquals(2, r.at("/generation_config/eos_token_id").asInt());

        String text = run("inspect", dir.toString()).out();
        assertTrue(text.contains("config                    16,064"), text);
        assertTrue(text.contains("qwen3 (Qwen3ForCausalLM)"), text);

        Path untied = qwen3("bf16", false);
        JsonNode u = JSON.readTree(run("inspect", untied.toString(), "--json").out());
        assertEquals(tied + 512, u.at("/parameters/config").asLong());
        assertEquals(tied + 512, u.at("/parameters/stored").asLong());
        assertEquals(25, u.at("/dtypes/BF16").asInt(), "lm_head stored when untied, every tensor BF16");
        assertEquals("bfloat16", u.at("/config/torch_dtype").asText());
    }

    @Test
    void scoreEqualsTheScorerAndTheLogSoftmaxOfTheLogits() throws Exception {
        Path dir = qwen3("f32", true);
        int[] p1 = {1, 6, 10, 13, 7, 11, 14}; // <bos>37+48=
        int[] r1 = {11, 8, 2};                // 85<eos>
        int[] p2 = {1, 4, 13};
        int[] r2 = {5};
        String stdin = "{\"id\": \"a\", \"prompt_ids\": [1, 6, 10, 13, 7, 11, 14], \"response_ids\": [11, 8, 2]}\n"
                + "\n"
                + "{\"id\": 7, \"prompt_ids\": [1, 4, 13], \"response_ids\": [5]}\n"
                + "{\"id\": \"empty\", \"prompt_ids\": [1], \"response_ids\": []}\n";
        Result r = runWithInput(stdin, "score", "--model", dir.toString(), "--batch-size", "2");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(3, lines.length, r.out());
        JsonNode a = JSON.readTree(lines[0]);
        JsonNode b = JSON.readTree(lines[1]);
        assertEquals("a", a.get("id").asText());
        assertEquals(7, b.get("id").asInt(), "an integer id comes back as an integer");
        assertEquals("{\"id\":\"empty\",\"logprobs\":[]}", lines[2]);
        try (DecoderModel model = ModelFolder.open(dir).loadModel()) {
            float[][] direct = new ResponseScorer(model, 100).score(List.of(p1, p2), List.of(r1, r2), 1.0);
            assertArrayEquals(direct[0], floats(a.get("logprobs")), 1e-6f);
            assertArrayEquals(direct[1], floats(b.get("logprobs")), 1e-6f);
            // independently: the full sequence's logits, log-softmax at each response position
            assertArrayEquals(logSoftmaxOfLogits(model, p1, r1), floats(a.get("logprobs")), 1e-5f);
            assertArrayEquals(logSoftmaxOfLogits(model, p2, r2), floats(b.get("logprobs")), 1e-5f);
        }
    }

    /** log π(r_j | p, r_<j): log-softmax (in double) of DecoderModel.logits at position |p| - 1 + j. */
    private static float[] logSoftmaxOfLogits(DecoderModel model, int[] prompt, int[] response) {
        int[] row = new int[prompt.length + response.length];
        System.arraycopy(prompt, 0, row, 0, prompt.length);
        System.arraycopy(response, 0, row, prompt.length, response.length);
        int vocab = model.config().vocabSize();
        float[] logits;
        try (NDManager scope = model.newScope()) {
            logits = model.logits(scope, new int[][] {row}, 0, false).toFloatArray();
        }
        float[] out = new float[response.length];
        for (int j = 0; j < response.length; j++) {
            int pos = prompt.length - 1 + j;
            out[j] = (float) logSoftmax(logits, pos * vocab, vocab, response[j]);
        }
        return out;
    }

    private static double logSoftmax(float[] logits, int offset, int vocab, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, logits[offset + v]);
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            sum += Math.exp(logits[offset + v] - max);
        }
        return logits[offset + token] - max - Math.log(sum);
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    @Test
    void malformedScoreLinesAreReportedByNumberAndTheOthersGoOn() throws Exception {
        Path dir = qwen3("f32", true);
        String stdin = "{\"id\": \"ok1\", \"prompt_ids\": [1, 4], \"response_ids\": [5, 2]}\n"
                + "not json\n"
                + "{\"id\": \"far\", \"prompt_ids\": [1, 16], \"response_ids\": [5]}\n"
                + "{\"id\": \"nop\", \"response_ids\": [5]}\n"
                + "{\"id\": \"emptyprompt\", \"prompt_ids\": [], \"response_ids\": [5]}\n"
                + "{\"prompt_ids\": [1], \"response_ids\": [5]}\n"
                + "{\"id\": \"frac\", \"prompt_ids\": [1], \"response_ids\": [5.5]}\n"
                + "{\"id\": \"ok2\", \"prompt_ids\": [1, 4], \"response_ids\": [5, 2]}\n";
        Result r = runWithInput(stdin, "score", "--model", dir.toString());
        assertEquals(1, r.code(), "some lines failed");
        String[] out = r.out().strip().split("\n");
        assertEquals(2, out.length, r.out());
        assertEquals("ok1", JSON.readTree(out[0]).get("id").asText());
        assertEquals("ok2", JSON.readTree(out[1]).get("id").asText());
        assertEquals(JSON.readTree(out[0]).get("logprobs"), JSON.readTree(out[1]).get("logprobs"),
                "the same request scores the same whatever failed around it");
        String err = r.err();
        assertTrue(err.contains("line 2: not JSON"), err);
        assertTrue(err.contains("line 3: prompt_ids[1] = 16 is not a token id of this model (0 to 15)"), err);
        assertTrue(err.contains("line 4: \"prompt_ids\" must be an array"), err);
        assertTrue(err.contains("line 5: \"prompt_ids\" is empty"), err);
        assertTrue(err.contains("line 6: \"id\" must be"), err);
        assertTrue(err.contains("line 7: response_ids[0] = 5.5"), err);
        assertTrue(err.contains("6 line(s) failed"), err);
        assertFalse(err.contains("Exception"), "no stack trace: " + err);
    }

    @Test
    void greedyGenerationIsTheArgmaxOfTheLogitsStepByStep() throws Exception {
        Path dir = qwen3("f32", false);
        Result r = run("generate", "--model", dir.toString(), "--prompt", "37+48=", "--temperature", "0",
                "--max-new-tokens", "6", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode g = JSON.readTree(r.out());
        int[] prompt = ints(g.get("prompt_ids"));
        assertArrayEquals(new int[] {1, 6, 10, 13, 7, 11, 14}, prompt, "BOS from the post-processor, then characters");
        int[] tokens = ints(g.get("token_ids"));
        float[] logprobs = floats(g.get("logprobs"));

        List<Integer> expected = new ArrayList<>();
        List<Float> expectedLogprobs = new ArrayList<>();
        try (DecoderModel model = ModelFolder.open(dir).loadModel()) {
            DecoderConfig c = model.config();
            List<Integer> seq = new ArrayList<>();
            for (int t : prompt) {
                seq.add(t);
            }
            for (int step = 0; step < 6; step++) {
                int[] row = seq.stream().mapToInt(Integer::intValue).toArray();
                float[] logits;
                try (NDManager scope = model.newScope()) {
                    logits = model.logits(scope, new int[][] {row}, 0, false).toFloatArray();
                }
                int offset = (row.length - 1) * c.vocabSize();
                int best = 0;
                for (int v = 1; v < c.vocabSize(); v++) {
                    if (logits[offset + v] > logits[offset + best]) {
                        best = v;
                    }
                }
                expected.add(best);
                expectedLogprobs.add((float) logSoftmax(logits, offset, c.vocabSize(), best));
                seq.add(best);
                if (c.eosTokenIds().contains(best)) {
                    break;
                }
            }
        }
        assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), tokens);
        for (int i = 0; i < tokens.length; i++) {
            assertEquals(expectedLogprobs.get(i), logprobs[i], 1e-5f, "log-prob of token " + i);
        }
        String reason = expected.get(expected.size() - 1) == 2 ? "stop" : "length";
        assertEquals(reason, g.get("finish_reason").asText());

        // the plain form prints the text of the same tokens (the stop token left out)
        Result text = run("generate", "--model", dir.toString(), "--prompt", "37+48=", "--temperature", "0",
                "--max-new-tokens", "6");
        assertEquals(0, text.code(), text.err());
        try (HfTokenizer tok = ModelFolder.open(dir).loadTokenizer()) {
            int[] shown = reason.equals("stop") ? java.util.Arrays.copyOf(tokens, tokens.length - 1) : tokens;
            assertEquals(tok.decode(shown, true) + "\n", text.out());
            assertEquals(g.get("text").asText() + "\n", text.out());
        }
    }

    @Test
    void sampledGenerationIsReproducibleBySeed() throws Exception {
        Path dir = qwen3("f32", true);
        String[] argv = {"generate", "--model", dir.toString(), "--prompt", "12+34=", "--temperature", "1.5",
                "--max-new-tokens", "12", "--json", "--seed", "11"};
        Result a = run(argv);
        Result b = run(argv);
        assertEquals(0, a.code(), a.err());
        assertEquals(a.out(), b.out());
        argv[argv.length - 1] = "12";
        assertFalse(a.out().equals(run(argv).out()), "another seed, other draws (12 tokens from 16 at T 1.5)");
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    @Test
    void usageErrorsExitTwoWithTheReasonAndNoStackTrace() throws Exception {
        Path dir = qwen3("f32", true);
        String out = dir.toString();
        String[][] cases = {
            {"bogus"}, {"init", "--arch", "llama"}, {"init", "--arch", "gpt2", "--layers", "1", "--hidden", "8", "--heads", "2", "--kv-heads", "2",
                "--intermediate", "8", "--tokenizer", "demo", "--out", tmp.resolve("n").toString()},
            {"init", "--arch", "llama", "--layers", "two", "--hidden", "8", "--heads", "2", "--kv-heads", "2",
                "--intermediate", "8", "--tokenizer", "demo", "--out", tmp.resolve("n").toString()},
            {"init", "--arch", "llama", "--layers", "1", "--hidden", "8", "--heads", "3", "--kv-heads", "3",
                "--intermediate", "8", "--tokenizer", "demo", "--out", tmp.resolve("n").toString()},
            {"init", "--arch", "llama", "--layers", "1", "--hidden", "8", "--heads", "4", "--kv-heads", "3",
                "--intermediate", "8", "--tokenizer", "demo", "--out", tmp.resolve("n").toString()},
            {"init", "--arch", "llama", "--layers", "1", "--hidden", "8", "--heads", "2", "--kv-heads", "2",
                "--intermediate", "8", "--tokenizer", tmp.resolve("none").toString(), "--out", tmp.resolve("n").toString()},
            {"init", "--arch", "llama", "--layers", "1", "--hidden", "8", "--heads", "2", "--kv-heads", "2",
                "--intermediate", "8", "--tokenizer", "demo", "--out", "x", "--dtype", "f16"},
            {"inspect"}, {"inspect", tmp.resolve("missing").toString()}, {"inspect", tmp.toString()},
            {"score"}, {"score", "--model", out, "--temperature", "0"}, {"score", "--model", out, "--wat", "1"},
            {"generate", "--model", out}, {"generate", "--prompt", "1+1="},
            {"generate", "--model", out, "--prompt", "1+1=", "--top-p", "0"},
            {"generate", "--model", out, "--prompt", "1 + 1"},
            {"generate", "--model", out, "--prompt", "1+1=", "--chat"},
            {"generate", "--model", out, "--prompt", "1+1=", "--chat-format", "vicuna"},
        };
        String[] reasons = {
            "'bogus' is not one of its subcommands: init, inspect, score and generate", "missing --layers, --hidden, --heads, --kv-heads, --intermediate, --tokenizer, --out", "--arch expects llama, qwen2 or qwen3",
            "Invalid value for option '--layers': 'two' is not an int", "hidden_size 8 is not divisible by num_attention_heads 3",
            "num_key_value_heads", "no tokenizer.json", "--dtype expects f32 or bf16", "inspect takes one model folder",
            "not a folder", "no config.json", "--model is required", "--temperature expects a number > 0",
            "unknown flag --wat", "--prompt is required", "--model is required", "top_p must be in (0, 1]",
            "the tokenizer cannot encode the prompt", "no chat_template", "unknown chat format 'vicuna'",
        };
        assertEquals(cases.length, reasons.length);
        for (int i = 0; i < cases.length; i++) {
            Result r = run(cases[i]);
            String what = String.join(" ", cases[i]) + " -> " + r.err();
            assertEquals(2, r.code(), what);
            assertTrue(r.err().contains(reasons[i]), what);
            assertFalse(r.err().contains("\tat "), "no stack trace: " + what);
        }
        assertFalse(Files.exists(tmp.resolve("n")), "nothing written by a refused init");
    }

    @Test
    void everySubcommandHasHelpAndTheLauncherDispatches() {
        for (String sub : List.of("init", "inspect", "score", "generate")) {
            Result r = run(sub, "--help");
            assertEquals(0, r.code());
            assertTrue(r.out().startsWith("Usage: rlstream model " + sub), r.out());
        }
        assertEquals(2, run().code(), "no subcommand: the overview, exit 2");
        assertTrue(run("--help").out().contains("  init      Writes a randomly initialised model"), run("--help").out());
        assertTrue(Rlstream.USAGE.contains("model init|inspect|score|generate"));
        CommandConsole.Output inspectHelp = CommandConsole.once(Rlstream::run, List.of("model", "inspect", "--help"));
        assertEquals(0, inspectHelp.status());
        assertTrue(inspectHelp.out().startsWith("Usage: rlstream model inspect [-h] [--json] [DIR...]"), inspectHelp.out());
    }
}
