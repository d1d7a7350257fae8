package io.rlstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.bench.TrainerBenchmark.Result;
import io.rlstream.bench.TrainerBenchmark.Row;
import io.rlstream.bench.TrainerBenchmark.Settings;
import io.rlstream.model.PolicyConfig;
import io.rlstream.model.folder.ModelInit;
import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.model.safetensors.Dtype;
import io.rlstream.testkit.CommandConsole;
import io.rlstream.testkit.TwoDigitTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tiny real runs on the demo policy and on a model folder, flags and usage errors. */
class TrainerBenchmarkTest {

    private final CommandConsole console = new CommandConsole();

    @TempDir
    Path tmp;

    private int run(String... args) {
        return console.run(TrainerBenchmark::run, args);
    }

    private String err() {
        return console.err();
    }

    @Test
    void tinyRunMeasuresEveryTimedStep() {
        Settings settings = new Settings(3, 2, 2, 2, 5, List.of(), 7, null, 256);
        Result result = TrainerBenchmark.measure(settings, console.outStream());

        assertEquals(1, result.rows().size(), "one row for the configured thread setting");
        Row row = result.rows().get(0);
        assertEquals(3, row.steps());
        assertEquals(3 * 2 * 2, row.samples());
        assertTrue(row.tokens() >= row.samples() && row.tokens() <= row.paddedTokens(), row.toString());
        assertTrue(row.tokensPerSecond() > 0, row.toString());
        assertTrue(row.samplesPerSecond() > 0, row.toString());
        assertTrue(row.step().p50() > 0 && row.step().p90() >= row.step().p50(), row.toString());
        assertTrue(row.forward().p50() > 0, row.toString());
        assertTrue(row.threads() >= 1 && row.interopThreads() >= 1, row.toString());
        assertEquals(PolicyConfig.demo(), result.policyConfig());
        assertEquals(7, result.promptTokens(), "BOS + ab+cd=");
        // every batch: 4 rows of 7 prompt tokens, the longest response 1..5 tokens
        assertFlopsWithin(row, result.modelConfig(), 4, 7, 5);
        assertEquals(256, row.peak().n());
        assertTrue(row.peak().gflops() > 0, row.toString());

        String report = TrainerBenchmarkReport.format(result);
        assertTrue(report.contains("tokens/s") && report.contains("forward p50"), report);
        assertTrue(report.contains("GFLOP/s") && report.contains("% peak"), report);
        assertTrue(report.contains("addition prompts (7 tokens)"), report);
        assertTrue(console.out().contains("step 3/3"), "progress lines while running");
    }

    /**
     * A random llama folder with {@link TwoDigitTokenizer} (2 layers, hidden 64): prompts are that
     * tokenizer's BOS, a, '+', b, '=' (5 tokens, not the demo's 7), responses stop at its EOS 104,
     * and the report carries the FLOP rate and its share of the peak measured in the same run.
     */
    @Test
    void aModelFolderIsMeasuredWithItsOwnTokenizerAndItsFlopShare() throws Exception {
        Path model = tinyModel();
        assertEquals(0, run("--model", model.toString(), "--steps", "2", "--warmup-steps", "1", "--batch-groups", "2",
                "--group-size", "2", "--matmul-size", "512"), console.err());
        String out = console.out();
        assertTrue(out.contains("addition prompts of up to 5 tokens, stop ids [104]"), out);
        assertTrue(out.contains("addition prompts (up to 5 tokens with the model's tokenizer)"), out);
        assertTrue(out.contains("policy: " + model + " (llama"), out);
        // the row of the step table: ... cores GFLOP/s % peak
        Matcher m = Pattern.compile("(?m)^\\d+ x \\d+ +2 +4 .* ([0-9.]+) +([0-9.]+)%$").matcher(out);
        assertTrue(m.find(), out);
        double gflops = Double.parseDouble(m.group(1));
        double share = Double.parseDouble(m.group(2));
        assertTrue(gflops > 0, out);
        // a 2-layer width-64 network runs far below a 512 x 512 matmul (its matrices are 64 wide)
        assertTrue(share > 0 && share < 100, out);

        Result result = TrainerBenchmark.measure(new Settings(2, 0, 2, 2, 5, List.of(), 1, model, 256),
                console.outStream());
        assertEquals(5, result.promptTokens());
        assertEquals(null, result.policyConfig());
        assertFlopsWithin(result.rows().get(0), result.modelConfig(), 4, 5, 5);
    }

    @Test
    void aFolderThatIsNoModelIsAUsageError() throws Exception {
        assertEquals(2, run("--model", tmp.resolve("absent").toString()));
        assertTrue(err().contains("is not a Hugging Face model folder"), err());
        assertTrue(err().contains("--help"), err());

        Path model = tinyModel();
        Path config = model.resolve("config.json");
        // 5 prompt tokens + 5 response tokens do not fit in 8 positions
        Files.writeString(config, Files.readString(config).replaceAll("\"max_position_embeddings\": *\\d+",
                "\"max_position_embeddings\": 8"));
        assertEquals(2, run("--model", model.toString()));
        assertTrue(err().contains("the longest addition prompt (5 tokens) plus --response-tokens 5 exceeds its "
                + "context of 8"), err());

        Files.delete(model.resolve("tokenizer.json"));
        assertEquals(2, run("--model", model.toString()));
        assertTrue(err().contains("has no tokenizer.json"), err());
    }

    private Path tinyModel() throws Exception {
        Path model = tmp.resolve("model");
        new ModelInit(DecoderArchitecture.LLAMA, 2, 64, 4, 4, 128, null, null, false, 5, Dtype.F32)
                .write(TwoDigitTokenizer.write(tmp.resolve("tokenizer")).toString(), model);
        return model;
    }

    /**
     * The row's FLOPs lie between those of its steps with the shortest (1 token) and the longest
     * possible response: each step is one forward pass plus 2 forward and backward passes.
     */
    private static void assertFlopsWithin(Row row, DecoderConfig c, int rows, int prompt, int maxResponse) {
        double low = row.steps() * ModelFlops.rlStep(c, 2, rows, prompt, 1);
        double high = row.steps() * ModelFlops.rlStep(c, 2, rows, prompt, maxResponse);
        assertTrue(row.flops() >= low && row.flops() <= high, low + " <= " + row.flops() + " <= " + high);
        assertEquals(row.flops() / row.step().total() / 1e9, row.gflops(), 1e-9);
    }

    @Test
    void helpExitsZeroAndExplainsEveryFlag() {
        assertEquals(0, run("--help"));
        String usage = console.out();
        assertTrue(usage.startsWith("Usage: rlstream bench trainer"), usage);
        for (String flag : TrainerBenchmark.VALUE_FLAGS) {
            assertTrue(usage.contains("--" + flag + "="), "usage explains --" + flag);
        }
    }

    @Test
    void wrongUsageExitsTwoAndSaysWhy() {
        assertEquals(2, run("--stpes", "3"));
        assertTrue(err().contains("unknown flag --stpes") && err().contains("did you mean --steps"), err());
        assertTrue(err().contains("--help"), "points at --help");

        assertEquals(2, run("--steps", "many"));
        assertTrue(err().contains("--steps expects a whole number, got 'many'"), err());

        assertEquals(2, run("--steps", "0"));
        assertTrue(err().contains("--steps must be >= 1"), err());

        assertEquals(2, run("--threads", "1,0"));
        assertTrue(err().contains("--threads values must be >= 1"), err());

        assertEquals(2, run("--seed"));
        assertTrue(err().contains("Missing required parameter for option '--seed'"), err());
    }

    @Test
    void flagsOverrideDefaultsInBothSpellings() {
        assertEquals(Settings.defaults(), TrainerBenchmark.parse(List.of()));
        assertEquals(new Settings(30, 5, 16, 8, 5, List.of(), 1), Settings.defaults());
        assertEquals(new Settings(4, 0, 2, 3, 32, List.of(1, 2), 9, null, 512), TrainerBenchmark.parse(List.of(
                "--steps=4", "--warmup-steps", "0", "--batch-groups", "2", "--group-size=3", "--response-tokens", "32",
                "--threads", "1,2", "--seed", "9", "--matmul-size", "512")));
    }

    @Test
    void contextGrowsOnlyWhenLongResponsesDoNotFit() {
        assertEquals(PolicyConfig.demo(), TrainerBenchmark.policyConfig(5));
        assertEquals(PolicyConfig.demo(), TrainerBenchmark.policyConfig(9));
        PolicyConfig grown = TrainerBenchmark.policyConfig(32);
        assertEquals(7 + 32, grown.contextLength());
        assertEquals(PolicyConfig.demo().embedDim(), grown.embedDim());
    }
}
