package io.rlstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.testkit.CommandConsole;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code rlstream bench NAME}: the dispatch, and the help and usage errors every benchmark answers alike. */
class BenchmarksTest {

    private final CommandConsole console = new CommandConsole();

    private int run(String... args) {
        return console.run(Benchmarks::run, args);
    }

    @Test
    void anUnknownOrMissingBenchmarkIsAUsageError() {
        assertEquals(2, run());
        assertEquals(2, run("everything"));
        assertTrue(console.err().contains("processors, trainer, selectors, async, model, objectives or generator"));
    }

    @Test
    void everyBenchmarkAnswersHelpWithItsUsage() {
        for (String name : List.of("processors", "trainer", "selectors", "async", "model", "objectives", "generator")) {
            console.reset();
            assertEquals(0, run(name, "--help"), name);
            assertTrue(console.out().contains("rlstream bench " + name), name + " usage");
        }
        console.reset();
        assertEquals(0, run("async", "--simulate", "--help"), "--help wins over --simulate");
    }

    /** bench generator checks its flags before it starts anything. */
    @Test
    void generatorFlagsAreCheckedBeforeAnythingStarts() {
        assertEquals(2, run("generator", "--requests", "0"));
        assertTrue(console.err().contains("must be >= 1"), console.err());
        console.reset();
        assertEquals(2, run("generator", "--concurency", "4"));
        assertTrue(console.err().contains("unknown flag --concurency"), console.err());
        console.reset();
        assertEquals(2, run("generator", "--model", "/nonexistent/folder"));
        assertTrue(console.err().contains("is not a folder"), console.err());
    }

    @Test
    void aBadFlagNamesTheBenchmarkAndPointsAtHelp() {
        assertEquals(2, run("selectors", "--minutes", "soon"));
        String e = console.err();
        assertTrue(e.startsWith("rlstream bench selectors: --minutes needs a number, got 'soon'"), e);
        assertTrue(e.contains("Run 'rlstream bench selectors --help' for usage."), e);
    }

    @Test
    void flagsTakeBothFormsAndTheLastRepeatWins() {
        assertEquals(java.util.Map.of("tokens", "50", "rollouts", "9"),
                BenchCommand.flags(List.of("--rollouts", "8", "--tokens=50", "--rollouts", "9"), List.of("rollouts", "tokens")));
    }
}
