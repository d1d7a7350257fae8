package io.rlstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code rlstream bench NAME}: the dispatch, and the help and usage errors every benchmark answers alike. */
class BenchmarksTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Benchmarks.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void anUnknownOrMissingBenchmarkIsAUsageError() {
        assertEquals(2, run());
        assertEquals(2, run("everything"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("processors, trainer, selectors or async"));
    }

    @Test
    void everyBenchmarkAnswersHelpWithItsUsage() {
        for (String name : List.of("processors", "trainer", "selectors", "async")) {
            out.reset();
            assertEquals(0, run(name, "--help"), name);
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("rlstream bench " + name), name + " usage");
        }
        out.reset();
        assertEquals(0, run("async", "--simulate", "--help"), "--help wins over --simulate");
    }

    @Test
    void aBadFlagNamesTheBenchmarkAndPointsAtHelp() {
        assertEquals(2, run("selectors", "--minutes", "soon"));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.startsWith("rlstream bench selectors: --minutes needs a number, got 'soon'"), e);
        assertTrue(e.contains("Run 'rlstream bench selectors --help' for usage."), e);
    }

    @Test
    void flagsTakeBothFormsAndTheLastRepeatWins() {
        assertEquals(java.util.Map.of("tokens", "50", "rollouts", "9"),
                BenchCommand.flags(List.of("--rollouts", "8", "--tokens=50", "--rollouts", "9"), List.of("rollouts", "tokens")));
    }
}
