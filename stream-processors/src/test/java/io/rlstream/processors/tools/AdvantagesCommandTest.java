package io.rlstream.processors.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.processors.advantage.AdvantageEstimators;
import io.rlstream.testkit.CommandConsole;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** rlstream advantages: JSONL groups on stdin, one advantages line per group on stdout. */
class AdvantagesCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final float TOL = 1e-6f;

    /** What one run printed, and its exit status. */
    private record Result(int status, String out, String err) {

        List<JsonNode> lines() {
            List<JsonNode> lines = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (!line.isBlank()) {
                    try {
                        lines.add(JSON.readTree(line));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
            return lines;
        }

        float[] advantages(int line) {
            JsonNode values = lines().get(line).get("advantages");
            float[] a = new float[values.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = values.get(i).floatValue();
            }
            return a;
        }

        String groupId(int line) {
            return lines().get(line).get("group_id").asText();
        }
    }

    private static Result run(String stdin, String... args) {
        CommandConsole.Output o = CommandConsole.once(AdvantagesCommand::run, stdin, args);
        return new Result(o.status(), o.out(), o.err());
    }

    @Test
    void grpoNumbersLineByLine() {
        Result r = run("""
                {"group_id": "g1", "rewards": [1, 0, 0, 0]}
                {"group_id": "g2", "rewards": [2, 4, 6], "lengths": [10, 20, 30]}
                """, "--estimator", "grpo");
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        // g1: mean 0.25, sample std 0.5 -> 0.75/0.500001 = 1.499997, -0.25/0.500001 = -0.499999
        assertEquals("g1", r.groupId(0));
        assertArrayEquals(new float[] {1.499997f, -0.499999f, -0.499999f, -0.499999f}, r.advantages(0), TOL);
        // g2: mean 4, sample std 2 -> -2/2.000001, 0, 2/2.000001
        assertEquals("g2", r.groupId(1));
        assertArrayEquals(new float[] {-0.9999995f, 0f, 0.9999995f}, r.advantages(1), TOL);
    }

    @Test
    void grpoOptionsReachTheEstimator() {
        // population std of (1,0,0,0) = sqrt(3)/4; ε = 0: A_0 = sqrt(3) = 1.7320508, A_j = -1/sqrt(3) = -0.5773503
        Result r = run("{\"group_id\": \"g1\", \"rewards\": [1, 0, 0, 0]}\n", "--estimator=grpo", "--std", "population", "--epsilon", "0");
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(new float[] {1.7320508f, -0.5773503f, -0.5773503f, -0.5773503f}, r.advantages(0), TOL);
    }

    @Test
    void rlooNumbers() {
        // g1: A_0 = 1 - 0/3 = 1, A_j = 0 - 1/3; g2: sum 15 -> 2 - 13/2, 4 - 11/2, 9 - 6/2; g3: G = 1 keeps r
        Result r = run("""
                {"group_id": "g1", "rewards": [1, 0, 0, 0]}
                {"group_id": "g2", "rewards": [2, 4, 9]}
                {"group_id": "g3", "rewards": [0.5]}
                """, "--estimator", "rloo");
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(new float[] {1f, -1f / 3, -1f / 3, -1f / 3}, r.advantages(0), TOL);
        assertArrayEquals(new float[] {-4.5f, -1.5f, 6f}, r.advantages(1), TOL);
        assertArrayEquals(new float[] {0.5f}, r.advantages(2), TOL);
    }

    private static final String TWO_GROUPS_WITH_LENGTHS = """
            {"group_id": "a", "rewards": [1, 0], "lengths": [3, 1]}
            {"group_id": "b", "rewards": [1, 0, 0, 0], "lengths": [2, 1, 1, 0]}
            """;

    @Test
    void reinforcePpBaselineWhitensOverAllOfStdinByDefault() {
        // one batch of both groups; the numbers of ReinforcePlusPlusBaselineTest:
        // a = 0.5, -0.5 | 0.75, -0.25, -0.25, -0.25; token mean 2/8 = 0.25; token var 1.75/8; std 0.4677072
        Result r = run(TWO_GROUPS_WITH_LENGTHS, "--estimator", "reinforce-pp-baseline");
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of("a", "b"), List.of(r.groupId(0), r.groupId(1)));
        assertArrayEquals(new float[] {0.5345225f, -1.6035675f}, r.advantages(0), TOL);
        assertArrayEquals(new float[] {1.0690450f, -1.0690450f, -1.0690450f, -1.0690450f}, r.advantages(1), TOL);
    }

    @Test
    void reinforcePpBaselineInBatchesOfOneGroup() {
        // --batch-groups 1: each group is whitened alone
        // a: a = 0.5, -0.5, lengths 3, 1: mean (1.5 - 0.5)/4 = 0.25; var (3*0.0625 + 0.5625)/4 = 0.1875; std 0.4330127
        //    A = 0.25/0.4330127 = 0.5773503, -0.75/0.4330127 = -1.7320508
        // b: a = 0.75, -0.25, -0.25, -0.25, lengths 2, 1, 1, 0: mean (1.5 - 0.5)/4 = 0.25
        //    var (2*0.25 + 0.25 + 0.25)/4 = 0.25; std 0.5; A = 1, -1, -1, -1
        Result r = run(TWO_GROUPS_WITH_LENGTHS, "--estimator", "reinforce-pp-baseline", "--batch-groups", "1");
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(new float[] {0.5773503f, -1.7320508f}, r.advantages(0), TOL);
        assertArrayEquals(new float[] {1f, -1f, -1f, -1f}, r.advantages(1), TOL);
    }

    @Test
    void aPartialLastBatchIsStillAnswered() {
        // batches of 2: (a, b) and then c alone; c = (1, 0) lengths 1, 1 -> a = ±0.5, mean 0, var 0.25 -> ±1
        Result r = run(TWO_GROUPS_WITH_LENGTHS + "{\"group_id\": \"c\", \"rewards\": [1, 0]}\n",
                "--estimator", "reinforce-pp-baseline", "--batch-groups", "2");
        assertEquals(0, r.status(), r.err());
        assertEquals(3, r.lines().size());
        assertArrayEquals(new float[] {0.5345225f, -1.6035675f}, r.advantages(0), TOL);
        assertArrayEquals(new float[] {1f, -1f}, r.advantages(2), TOL);
    }

    @Test
    void badLinesAreReportedAndSkippedAndTheRestGoOn() {
        Result r = run("""
                {"group_id": "ok1", "rewards": [1, 0]}
                not json
                {"group_id": "x", "rewards": [1, "yes"]}

                {"group_id": "x", "lengths": [1, 2]}
                {"group_id": "x", "rewards": [1, 0], "lengths": [5]}
                {"group_id": "x", "rewards": [1, NaN]}
                {"group_id": "x", "rewards": [1, 1e400]}
                {"group_id": "x", "rewards": [1, 0], "lengths": [3, -1]}
                [1, 0]
                {"rewards": [1, 0]}
                {"group_id": "ok2", "rewards": [0, 1]}
                """, "--estimator", "drgrpo");
        assertEquals(1, r.status());
        assertEquals(List.of("ok1", "ok2"), List.of(r.groupId(0), r.groupId(1)));
        assertArrayEquals(new float[] {0.5f, -0.5f}, r.advantages(0), TOL);
        assertArrayEquals(new float[] {-0.5f, 0.5f}, r.advantages(1), TOL);
        List<String> errors = r.err().lines().toList();
        // line 4 is blank: skipped silently, but it still counts for the line numbers
        assertEquals(9, errors.size(), r.err());
        assertTrue(errors.get(0).startsWith("line 2: expected a JSON object"), errors.get(0));
        assertTrue(errors.get(1).startsWith("line 3: expected reward 1 to be a number, got the string \"yes\""), errors.get(1));
        assertTrue(errors.get(2).startsWith("line 5: expected \"rewards\" as an array of numbers, got nothing"), errors.get(2));
        assertTrue(errors.get(3).startsWith("line 6: expected one length per reward (2), got 1 lengths"), errors.get(3));
        assertTrue(errors.get(4).startsWith("line 7: expected reward 1 to be a finite number, got NaN"), errors.get(4));
        assertTrue(errors.get(5).startsWith("line 8: expected reward 1 to be a finite number, got Infinity"), errors.get(5));
        assertTrue(errors.get(6).startsWith("line 9: expected length 1 to be a whole number of tokens >= 0, got -1"), errors.get(6));
        assertTrue(errors.get(7).startsWith("line 10: expected a JSON object with \"group_id\" and \"rewards\", got an array"), errors.get(7));
        assertTrue(errors.get(8).startsWith("line 11: expected \"group_id\" as a string, got nothing"), errors.get(8));
    }

    @Test
    void badLinesDoNotEnterTheBatch() {
        // the malformed middle line is skipped; the batch is a and b only, so the numbers are unchanged
        Result r = run("""
                {"group_id": "a", "rewards": [1, 0], "lengths": [3, 1]}
                {"group_id": "bad", "rewards": [1, 0], "lengths": [3]}
                {"group_id": "b", "rewards": [1, 0, 0, 0], "lengths": [2, 1, 1, 0]}
                """, "--estimator", "reinforce-pp-baseline");
        assertEquals(1, r.status());
        assertEquals(List.of("a", "b"), List.of(r.groupId(0), r.groupId(1)));
        assertArrayEquals(new float[] {0.5345225f, -1.6035675f}, r.advantages(0), TOL);
    }

    @Test
    void groupIdsAndEmptyGroupsComeBackAsTheyWent() {
        Result r = run("{\"group_id\": \"prompt-7/é\", \"rewards\": []}\n{\"group_id\": 42, \"rewards\": [3]}\n", "--estimator", "opo");
        assertEquals(0, r.status(), r.err());
        assertEquals("prompt-7/é", r.groupId(0));
        assertEquals(0, r.advantages(0).length);
        assertTrue(r.lines().get(1).get("group_id").isInt());
        assertArrayEquals(new float[] {3f}, r.advantages(1), TOL);
    }

    @Test
    void groupOnlyEstimatorsAnswerBeforeTheNextLineArrives() throws Exception {
        PipedOutputStream feed = new PipedOutputStream();
        PipedInputStream stdin = new PipedInputStream(feed);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> AdvantagesCommand.run(List.of("--estimator", "rloo"),
                stdin, new PrintStream(out, false, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream())));
        feed.write("{\"group_id\": \"g1\", \"rewards\": [1, 0]}\n".getBytes(StandardCharsets.UTF_8));
        feed.flush();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!out.toString(StandardCharsets.UTF_8).contains("g1") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals("{\"group_id\":\"g1\",\"advantages\":[1.0,-1.0]}\n", out.toString(StandardCharsets.UTF_8));
        feed.close();
        assertEquals(0, status.get().intValue());
    }

    @Test
    void helpListsEveryEstimatorWithItsFormula() {
        for (String flag : List.of("--help", "-h")) {
            Result r = run("", flag);
            assertEquals(0, r.status());
            assertTrue(r.out().startsWith("Usage: rlstream advantages "), r.out());
            for (String option : List.of("--estimator=NAME", "--std=sample|population", "--epsilon=E", "--batch-groups=N")) {
                assertTrue(r.out().contains(option), option);
            }
            for (String name : AdvantageEstimators.FAMILY.names()) {
                assertTrue(r.out().contains(name + " ") && r.out().contains(AdvantageEstimators.FAMILY.entry(name).formula()), name);
            }
            assertTrue(r.out().contains("r_i - sum_{j!=i} r_j / (G - 1)"), r.out());
        }
    }

    @Test
    void badOptionsSayWhatIsWrongAndShowTheUsage() {
        for (List<String> args : List.<List<String>>of(
                List.of(),
                List.of("--estimator", "ppo-gae"),
                List.of("--estimator", "grpo", "--std", "median"),
                List.of("--estimator", "grpo", "--epsilon", "-1"),
                List.of("--estimator", "grpo", "--epsilon", "tiny"),
                List.of("--estimator", "grpo", "--batch-groups", "0"),
                List.of("--estimator", "grpo", "--verbose", "yes"),
                List.of("--estimator"),
                List.of("--estimator", "grpo", "groups.jsonl"))) {
            Result r = run("{\"group_id\": \"g1\", \"rewards\": [1, 0]}\n", args.toArray(String[]::new));
            assertEquals(2, r.status(), args.toString());
            assertEquals("", r.out(), args.toString());
            assertTrue(r.err().startsWith("rlstream advantages: "), r.err());
            assertTrue(r.err().contains("Run 'rlstream advantages --help' for usage."), r.err());
        }
        Result typo = run("", "--estimator", "grpo", "--epsilom", "0.1");
        assertEquals(2, typo.status());
        assertTrue(typo.err().startsWith("rlstream advantages: unknown flag --epsilom; did you mean --epsilon?"),
                typo.err());
        Result r = run("", "--estimator", "ppo-gae");
        assertTrue(r.err().contains("'ppo-gae'") && r.err().contains("grpo-batch-std"), r.err());
        r = run("", "--estimator", "grpo", "--std", "median");
        assertTrue(r.err().startsWith("rlstream advantages: --std must be sample or population, got 'median'"), r.err());
    }
}
