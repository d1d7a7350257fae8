package io.rlstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.bench.ProcessorsBenchmark.Latency;
import io.rlstream.tokens.Tokens;
import io.rlstream.bench.ProcessorsBenchmark.Result;
import io.rlstream.bench.ProcessorsBenchmark.Row;
import io.rlstream.bench.ProcessorsBenchmark.Settings;
import io.rlstream.testkit.CommandConsole;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Flags, usage errors, percentiles and the report's layout; no broker. */
class ProcessorsBenchmarkTest {

    private final CommandConsole console = new CommandConsole();

    private int run(String... args) {
        return console.run(ProcessorsBenchmark::run, args);
    }

    private String err() {
        return console.err();
    }

    @Test
    void helpPrintsUsageWithEveryFlag() {
        assertEquals(0, run("--help"));
        String usage = console.out();
        assertTrue(usage.startsWith("Usage: rlstream bench processors"), usage);
        for (String flag : ProcessorsBenchmark.VALUE_FLAGS) {
            assertTrue(usage.contains("--" + flag + " "), "usage explains --" + flag);
        }
    }

    @Test
    void wrongUsageExitsWithTwoAndSaysWhy() {
        assertEquals(2, run("--rolouts", "100"));
        assertTrue(err().contains("unknown flag --rolouts"), err());
        assertTrue(err().contains("--help"), "points at --help");

        assertEquals(2, run("--tokens", "many"));
        assertTrue(err().contains("--tokens expects a whole number, got 'many'"), err());

        assertEquals(2, run("--bootstrap-server", "localhost:9092"));
        assertTrue(err().contains("give both --bootstrap-server and --registry-url"), err());

        // 1000 rollouts are 125 groups of 8: not a whole number of batches of 16 groups.
        assertEquals(2, run("--rollouts", "1000"));
        assertTrue(err().contains("multiple of group-size x batch-groups (8 x 16 = 128)") && err().contains("try 896"),
                err());

        assertEquals(2, run("--group-size", "1", "--batch-groups", "1", "--rollouts", "10"));
        assertTrue(err().contains("--group-size must be >= 2"), err());

        assertEquals(2, run("--warmup-rollouts", "100"));
        assertTrue(err().contains("--warmup-rollouts must be 0 or a multiple of group-size x batch-groups (128)"), err());

        assertEquals(2, run("--tokens"));
        assertTrue(err().contains("flag --tokens needs a value"), err());
    }

    @Test
    void flagsOverrideDefaultsInBothSpellings() {
        Settings s = ProcessorsBenchmark.parse(List.of("--rollouts=256", "--tokens", "50", "--group-size", "8",
                "--batch-groups=4", "--run-dir", "/tmp/x", "--timeout-seconds", "90"));
        assertEquals(new Settings(256, 50, 8, 4, 64, null, null, Path.of("/tmp/x"), Duration.ofSeconds(90)), s,
                "warm-up: a quarter of 256, in whole batches of 8 x 4 = 32 rollouts");
        assertEquals(32, s.groups());
        assertEquals(8, s.batches());
        Settings d = ProcessorsBenchmark.parse(List.of());
        assertEquals(Settings.defaults(), d);
        assertEquals(2000, d.groups(), "16000 rollouts / G 8");
        assertEquals(125, d.batches(), "2000 groups / B 16");
        assertEquals(3968, d.warmupRollouts(), "16000 / 4 = 4000, in whole batches of 128");
        assertEquals(0, ProcessorsBenchmark.parse(List.of("--warmup-rollouts", "0")).warmupRollouts());
    }

    @Test
    void percentilesAreNearestRank() {
        long[] oneToHundred = new long[100];
        for (int i = 0; i < 100; i++) {
            oneToHundred[99 - i] = i + 1;
        }
        Latency l = Latency.of(oneToHundred);
        assertEquals(100, l.count());
        assertEquals(50.0, l.p50Ms(), "the 50th of 100 sorted values");
        assertEquals(99.0, l.p99Ms(), "the 99th of 100 sorted values");
        assertEquals(7.0, Latency.of(new long[] {7}).p99Ms());
        assertTrue(Double.isNaN(Latency.of(new long[0]).p50Ms()));
    }

    @Test
    void everyGroupHasARightAndAWrongAnswerSoDynamicSamplingKeepsIt() {
        Random random = new Random(1);
        for (int group = 0; group < 50; group++) {
            assertTrue(SyntheticRollouts.correct(0, random));
            assertTrue(!SyntheticRollouts.correct(1, random));
        }
        var r = SyntheticRollouts.rollout(123, 1, 8, 40, false, random, java.time.Instant.EPOCH);
        assertEquals(40, Tokens.responseIds(r).length);
        assertEquals(40, Tokens.logprobs(r).length);
        assertTrue(java.util.Arrays.stream(Tokens.responseIds(r)).allMatch(t -> t >= 3 && t <= 15));
        assertTrue(r.getResponseText().endsWith(" " + (Integer.parseInt(SyntheticRollouts.answer(123)) + 1)),
                "a wrong answer is the reference plus one: " + r.getResponseText());
    }

    @Test
    void tableShowsBothRowsAndTheirRatio() {
        Settings s = new Settings(256, 50, 8, 4, 0, null, null, null, Duration.ofMinutes(1));
        // raw: 256 records in 0.5 s; rlstream: 256 in 2 s -> ratio of rates 0.25
        Row raw = new Row(256, 0.5, 256_000, new Latency(256, 10, 20));
        Row pipeline = new Row(256, 2.0, 256_000, new Latency(32, 150, 400));
        Map<String, Double> cpu = new java.util.LinkedHashMap<>(); // largest first, as CpuMeter gives it
        cpu.put("grouping app", 1.5);
        cpu.put("local broker", 0.5);
        Result r = new Result(s, raw, pipeline, 8, 32, 32, 256, 0, new Latency(256, 80, 300), 1000,
                Map.of("rollouts", 200_000L), Map.of(), cpu, List.of());
        String table = ResultTable.format(r);
        assertTrue(table.contains("raw Kafka produce+consume           256      0.50         512     0.51       10       20"),
                table);
        assertTrue(table.contains("rlstream rollouts -> batches        256      2.00         128     0.13      150      400"),
                table);
        assertTrue(table.contains("ratio rlstream / raw                         4.00        0.25     0.25"), table);
        assertTrue(table.contains("8/8 batches, 32/32 groups (32 distinct)"), table);
        assertTrue(table.contains("CPU seconds during rlstream (2.0 s on "), table);
        assertTrue(table.contains("2.0 used: grouping app 1.5, local broker 0.5"), table);
        assertTrue(!table.contains("CPU seconds during raw"), "no line where nothing was measured\n" + table);
        assertTrue(r.complete());
    }

    @Test
    void footprintNamesTheBigTopicsAndCountsTheRest() {
        Map<String, Long> bytes = new java.util.LinkedHashMap<>();
        bytes.put("rollouts", 60_000_000L);
        bytes.put("processors-group-rollouts-changelog", 39_000_000L);
        bytes.put("metrics", 500_000L);
        bytes.put("prompts", 500_000L);
        assertEquals("rollouts 60.0 MB, processors-group-rollouts-changelog 39.0 MB; 2 smaller topics (total 100.0 MB)",
                ResultTable.footprint(bytes));
    }
}
