package io.rlstream.processors.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.testkit.CommandConsole;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PfPpoR2CommandTest {

    /**
     * Three groups of three samples: proxy reward right about the best and worst of each group,
     * wrong about a middle one. R² per strategy, worked out by hand (FiltrationR2Test shows the sums):
     * none 22201/27808 = 0.798367, best-of-n 0.75, best-random with seed 0 (draws 1, 1, 1)
     * 2704/3640 = 0.742857, best-worst 5000/5162 = 0.968617.
     */
    private static final String GROUPS = """
            {"group_id": "g1", "rewards": [4, 0, 2], "scores": [4, 0, 1]}
            {"group_id": "g2", "rewards": [1, 3, 2], "scores": [1, 3, 3], "prompt": "ignored"}
            {"group_id": "g3", "rewards": [2.0, 5, 1], "scores": [3, 4, 1]}
            """;

    private static CommandConsole.Output run(String stdin, String... args) {
        return CommandConsole.once(PfPpoR2Command::run, stdin, args);
    }

    @Test
    void reportsR2PerStrategyAndChoosesTheHighest() {
        CommandConsole.Output r = run(GROUPS);
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        assertEquals("""
                R^2 between proxy reward and true score on the samples each strategy keeps (3 groups, 9 samples read, seed 0)
                strategy      groups  samples        R^2
                none               3        9   0.798367
                best-of-n          3        3   0.750000
                best-random        3        6   0.742857
                best-worst         3        6   0.968617  <- best
                choose best-worst: it has the highest R^2, PF-PPO's criterion for picking a policy filtration \
                (arXiv 2409.06957; ties go to the earlier row)
                """, r.out());
    }

    @Test
    void theSeedDrivesBestRandomAndTiesGoToTheEarlierRow() {
        // seed 7 draws 0, 0, 1: best-random keeps best-worst's samples exactly, R² 5000/5162 for both
        CommandConsole.Output r = run(GROUPS, "--seed", "7");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("best-random        3        6   0.968617  <- best\n"), r.out());
        assertTrue(r.out().contains("best-worst         3        6   0.968617\n"), r.out());
        assertTrue(r.out().contains("choose best-random:"), r.out());
        assertEquals(r.out(), run(GROUPS, "--seed=7").out());
    }

    @Test
    void readsAFileInsteadOfStandardInput(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("groups.jsonl");
        Files.writeString(file, GROUPS);
        CommandConsole.Output fromFile = run("this would be malformed", "--file", file.toString());
        assertEquals(0, fromFile.status(), fromFile.err());
        assertEquals(run(GROUPS).out(), fromFile.out());
    }

    @Test
    void malformedLinesAreReportedSkippedAndFailTheRun() {
        String input = """
                {"group_id": "g1", "rewards": [4, 0, 2], "scores": [4, 0, 1]}
                not json

                [1, 2]
                {"group_id": 5, "rewards": [1], "scores": [1]}
                {"group_id": "x", "rewards": [1, "a"], "scores": [1, 2]}
                {"group_id": "x", "rewards": [1, 2], "scores": [1]}
                {"group_id": "x", "rewards": [1, 2]}
                {"group_id": "x", "rewards": [], "scores": []}
                {"group_id": "x", "rewards": [1e999], "scores": [1]}
                {"group_id": "x", "rewards": [1], "scores": [1]} {}
                {"group_id": "g2", "rewards": [1, 3, 2], "scores": [1, 3, 3]}
                {"group_id": "g3", "rewards": [2, 5, 1], "scores": [3, 4, 1]}
                """;
        CommandConsole.Output r = run(input);
        assertEquals(1, r.status());
        // the good lines give the same table as GROUPS; line 3 is blank and not counted as malformed
        assertEquals(run(GROUPS).out(), r.out());
        String[] errors = r.err().split("\n");
        assertTrue(errors[0].startsWith("line 2: expected a JSON object, came invalid JSON ("), errors[0]);
        assertEquals("line 4: expected a JSON object, came [1,2]", errors[1]);
        assertEquals("line 5: expected \"group_id\" as a string, came 5", errors[2]);
        assertEquals("line 6: expected \"rewards\"[1] to be a number, came \"a\"", errors[3]);
        assertEquals("line 7: expected one score per reward, came 2 rewards and 1 scores", errors[4]);
        assertEquals("line 8: expected \"scores\" as an array of numbers, came nothing", errors[5]);
        assertEquals("line 9: expected at least one sample, came empty \"rewards\" and \"scores\"", errors[6]);
        assertEquals("line 10: expected \"rewards\"[0] within a double's range, came 1E+999", errors[7]);
        assertTrue(errors[8].startsWith("line 11: expected a JSON object, came invalid JSON ("), errors[8]);
        assertEquals("rlstream pf-ppo r2: skipped 9 malformed line(s) of standard input; the table counts only the others", errors[9]);
        assertEquals(10, errors.length);
    }

    @Test
    void noUsableGroupIsAnError() {
        CommandConsole.Output empty = run("");
        assertEquals(1, empty.status());
        assertEquals("", empty.out());
        assertTrue(empty.err().startsWith("rlstream pf-ppo r2: no usable group in standard input (0 malformed line(s));"),
                empty.err());

        CommandConsole.Output allBad = run("nope\n{}\n");
        assertEquals(1, allBad.status());
        assertTrue(allBad.err().contains("no usable group in standard input (2 malformed line(s))"), allBad.err());
    }

    @Test
    void noDefinedR2IsAnError() {
        // true scores all 1: SS_tot = 0 for every strategy, R² undefined, nothing to choose
        CommandConsole.Output r = run("{\"group_id\": \"g\", \"rewards\": [0, 1, 2], \"scores\": [1, 1, 1]}\n");
        assertEquals(1, r.status());
        assertTrue(r.out().contains("none               1        3  undefined\n"), r.out());
        assertTrue(!r.out().contains("choose"), r.out());
        assertTrue(r.err().contains("no strategy has a defined R^2"), r.err());
    }

    @Test
    void helpPrintsUsageWithTheInputFormat() {
        CommandConsole.Output r = run("", "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("Usage: rlstream pf-ppo r2 "), r.out());
        assertTrue(r.out().contains("--seed=N") && r.out().contains("--file=PATH"), r.out());
        assertTrue(r.out().contains("{\"group_id\": \"p17\", \"rewards\": [0.9, 0.1, 0.5], \"scores\": [1, 0, 0]}"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void badFlagsPrintTheProblemAndUsageAndExitTwo() {
        assertUsageError(run(GROUPS, "--sed", "3"), "rlstream pf-ppo r2: unknown flag --sed; did you mean --seed?");
        assertUsageError(run(GROUPS, "--seed", "abc"), "rlstream pf-ppo r2: --seed expects an integer, got 'abc'");
        assertUsageError(run(GROUPS, "--seed"), "rlstream pf-ppo r2: Missing required parameter for option '--seed' (N)");
        assertUsageError(run(GROUPS, "--seed", "1", "--seed", "2"),
                "rlstream pf-ppo r2: option '--seed' (N) should be specified only once");
        assertUsageError(run(GROUPS, "groups.jsonl"), "rlstream pf-ppo r2: unexpected argument 'groups.jsonl'");
    }

    @Test
    void aMissingFileIsReported(@TempDir Path dir) {
        CommandConsole.Output r = run("", "--file", dir.resolve("absent.jsonl").toString());
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("rlstream pf-ppo r2: cannot read " + dir.resolve("absent.jsonl")), r.err());
    }

    private static void assertUsageError(CommandConsole.Output r, String message) {
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith(message + "\n"), r.err());
        assertTrue(r.err().contains("Run 'rlstream pf-ppo r2 --help' for usage."), r.err());
    }
}
