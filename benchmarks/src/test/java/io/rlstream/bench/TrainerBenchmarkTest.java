package io.rlstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.bench.TrainerBenchmark.Result;
import io.rlstream.bench.TrainerBenchmark.Row;
import io.rlstream.bench.TrainerBenchmark.Settings;
import io.rlstream.model.PolicyConfig;
import io.rlstream.testkit.CommandConsole;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A tiny real run on the demo policy, flags and usage errors. */
class TrainerBenchmarkTest {

    private final CommandConsole console = new CommandConsole();

    private int run(String... args) {
        return console.run(TrainerBenchmark::run, args);
    }

    private String err() {
        return console.err();
    }

    @Test
    void tinyRunMeasuresEveryTimedStep() {
        Settings settings = new Settings(3, 2, 2, 2, 5, List.of(), 7);
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

        String report = TrainerBenchmarkReport.format(result);
        assertTrue(report.contains("tokens/s") && report.contains("forward p50"), report);
        assertTrue(console.out().contains("step 3/3"), "progress lines while running");
    }

    @Test
    void helpExitsZeroAndExplainsEveryFlag() {
        assertEquals(0, run("--help"));
        String usage = console.out();
        assertTrue(usage.startsWith("Usage: rlstream bench trainer"), usage);
        for (String flag : TrainerBenchmark.VALUE_FLAGS) {
            assertTrue(usage.contains("--" + flag + " "), "usage explains --" + flag);
        }
    }

    @Test
    void wrongUsageExitsTwoAndSaysWhy() {
        assertEquals(2, run("--stpes", "3"));
        assertTrue(err().contains("unknown flag --stpes"), err());
        assertTrue(err().contains("--help"), "points at --help");

        assertEquals(2, run("--steps", "many"));
        assertTrue(err().contains("--steps expects a whole number, got 'many'"), err());

        assertEquals(2, run("--steps", "0"));
        assertTrue(err().contains("--steps must be >= 1"), err());

        assertEquals(2, run("--threads", "1,0"));
        assertTrue(err().contains("--threads values must be >= 1"), err());

        assertEquals(2, run("--seed"));
        assertTrue(err().contains("flag --seed needs a value"), err());
    }

    @Test
    void flagsOverrideDefaultsInBothSpellings() {
        assertEquals(Settings.defaults(), TrainerBenchmark.parse(List.of()));
        assertEquals(new Settings(30, 5, 16, 8, 5, List.of(), 1), Settings.defaults());
        assertEquals(new Settings(4, 0, 2, 3, 32, List.of(1, 2), 9), TrainerBenchmark.parse(List.of("--steps=4",
                "--warmup-steps", "0", "--batch-groups", "2", "--group-size=3", "--response-tokens", "32",
                "--threads", "1,2", "--seed", "9")));
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
