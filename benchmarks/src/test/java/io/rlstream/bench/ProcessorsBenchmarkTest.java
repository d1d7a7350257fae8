package io.rlstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.bench.ProcessorsBenchmark.Latency;
import io.rlstream.bench.ProcessorsBenchmark.Paced;
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
            assertTrue(usage.contains("--" + flag + "="), "usage explains --" + flag);
        }
    }

    @Test
    void wrongUsageExitsWithTwoAndSaysWhy() {
        assertEquals(2, run("--rolouts", "100"));
        assertTrue(err().contains("unknown flag --rolouts") && err().contains("did you mean --rollouts"), err());
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
        assertTrue(err().contains("Missing required parameter for option '--tokens'"), err());

        assertEquals(2, run("--rate", "0"));
        assertTrue(err().contains("--rate must be a positive number of rollouts/s, got 0"), err());

        assertEquals(2, run("--rate", "fast"));
        assertTrue(err().contains("--rate expects a number, got 'fast'"), err());
    }

    @Test
    void helpExplainsThePacedFlag() {
        assertEquals(0, run("--help"));
        assertTrue(console.out().contains(ProcessorsBenchmark.PACED_FLAG + " "), console.out());
        assertTrue(console.out().contains("half of the"), console.out());
    }

    @Test
    void pacedRunsAtHalfTheMeasuredRateOrAtTheRateGiven() {
        Settings half = ProcessorsBenchmark.parse(List.of("--paced"));
        assertTrue(half.paced() && half.unpaced(), "--paced: the unpaced run first, then the paced one");
        assertEquals(0, half.rate());
        // 3 runs of 2000 measured groups each, 496 warm-up groups (3968 / 8), then 2000 of the paced run's own.
        assertEquals(6496, half.pacedFirstGroup());
        assertEquals(8496, half.promptGroups());

        Settings fixed = ProcessorsBenchmark.parse(List.of("--rate", "150.5", "--rollouts", "256", "--batch-groups", "4"));
        assertTrue(fixed.paced() && !fixed.unpaced(), "--rate alone: only the paced run of the rlstream side");
        assertEquals(150.5, fixed.rate());
        assertEquals(0, fixed.pacedFirstGroup(), "no unpaced run: the paced one sends the measured groups 0..31");
        assertEquals(32 + 8, fixed.promptGroups(), "32 groups + 64 warm-up rollouts / 8");

        Settings none = ProcessorsBenchmark.parse(List.of());
        assertFalse(none.paced());
        assertEquals(6496, none.promptGroups(), "3 x 2000 + 496: no paced groups");
        assertThrows(IllegalArgumentException.class,
                () -> new Settings(256, 50, 8, 4, 0, null, null, null, Duration.ofMinutes(1), false, 100));
    }

    @Test
    void pacedGroupsAreSpacedEvenly() {
        // R rollouts/s in groups of G: one group every G / R s, so group g at g x G / R s.
        assertEquals(0, PayloadSender.groupStartNanos(0, 8, 100));
        assertEquals(240_000_000L, PayloadSender.groupStartNanos(3, 8, 100), "3 x 8 / 100 s = 0.24 s");
        assertEquals(25_000_000L, PayloadSender.groupStartNanos(1, 8, 320), "8 / 320 s = 25 ms");
        assertEquals(666_666_667L, PayloadSender.groupStartNanos(1, 2, 3), "2 / 3 s, rounded to the nanosecond");
        // the last of 2000 groups of 8 at 320/s: 1999 x 8 / 320 = 49.975 s after the first
        assertEquals(49_975_000_000L, PayloadSender.groupStartNanos(1999, 8, 320));
        assertThrows(IllegalArgumentException.class, () -> PayloadSender.groupStartNanos(1, 8, 0));
    }

    @Test
    void batchTokensPicksTheGroupingAppsModeInlineByDefaultAndRejectsOthers() {
        assertEquals(io.rlstream.events.BatchTokens.INLINE, ProcessorsBenchmark.parse(List.of()).batchTokens(),
                "the processors' default");
        assertEquals(io.rlstream.events.BatchTokens.REFERENCE,
                ProcessorsBenchmark.parse(List.of("--batch-tokens", "reference")).batchTokens());
        assertEquals(2, run("--batch-tokens", "positions"));
        assertTrue(err().contains("--batch-tokens expects inline or reference, got 'positions'"), err());
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
    void eachUnpacedRunHasGroupsOfItsOwnThenTheWarmUpThenThePacedRun() {
        Settings three = ProcessorsBenchmark.parse(List.of("--rollouts", "256", "--batch-groups", "4", "--paced"));
        assertEquals(3, three.runs(), "the default");
        assertEquals(3, three.unpacedRuns());
        // 256 / 8 = 32 groups per run: run 1 has groups 0..31, run 2 32..63, run 3 64..95;
        // the warm-up's 64 / 8 = 8 groups are 96..103, the paced run's 32 are 104..135.
        assertEquals(0, three.runFirstGroup(0));
        assertEquals(32, three.runFirstGroup(1));
        assertEquals(64, three.runFirstGroup(2));
        assertEquals(96, three.warmupFirstGroup());
        assertEquals(104, three.pacedFirstGroup());
        assertEquals(136, three.promptGroups());

        Settings one = ProcessorsBenchmark.parse(List.of("--rollouts", "256", "--batch-groups", "4", "--runs", "1"));
        assertEquals(1, one.runs());
        assertEquals(32, one.warmupFirstGroup(), "one run: the warm-up right after its 32 groups, as before --runs");
        assertEquals(40, one.promptGroups(), "32 + 8, no paced run");

        Settings rate = ProcessorsBenchmark.parse(List.of("--rollouts", "256", "--batch-groups", "4", "--rate", "50",
                "--runs", "5"));
        assertEquals(5, rate.runs(), "the raw side still runs 5 times");
        assertEquals(0, rate.unpacedRuns(), "a fixed rate: no unpaced rlstream run");
        assertEquals(32, rate.warmupFirstGroup(), "after the paced run's groups 0..31");
        assertEquals(0, rate.pacedFirstGroup());
    }

    @Test
    void runsMustBeOneToNine() {
        assertEquals(2, run("--runs", "0"));
        assertTrue(err().contains("--runs must be 1 to 9 (timed runs per side; the table shows the median), got 0"),
                err());
        assertEquals(2, run("--runs", "10"));
        assertTrue(err().contains("got 10"), err());
        assertEquals(2, run("--runs", "few"));
        assertTrue(err().contains("--runs expects a whole number, got 'few'"), err());
        assertEquals(9, ProcessorsBenchmark.parse(List.of("--runs=9")).runs());
    }

    @Test
    void theMedianRunIsTheMiddleOneByRateAndTheSlowerMiddleOneOfAnEvenCount() {
        List<Double> three = List.of(3313.0, 4406.0, 3637.0);
        assertEquals(3637.0, ProcessorsBenchmark.median(three, Double::doubleValue), "sorted 3313, 3637, 4406");
        assertEquals(2.0, ProcessorsBenchmark.median(List.of(4.0, 2.0), Double::doubleValue), "of 2 and 4, the slower");
        assertEquals(5.0, ProcessorsBenchmark.median(List.of(9.0, 1.0, 5.0, 7.0, 3.0), Double::doubleValue));
        assertEquals(7.0, ProcessorsBenchmark.median(List.of(7.0), Double::doubleValue));
        assertThrows(IllegalArgumentException.class, () -> ProcessorsBenchmark.median(List.<Double>of(),
                Double::doubleValue));
        assertEquals("rlstream: 3 runs at 3313, 4406, 3637 records/s; the table shows the median run",
                ProcessorsBenchmark.runsLine("rlstream", three), "in the order they ran");
        assertEquals("raw Kafka: 1 run at 9977 records/s", ProcessorsBenchmark.runsLine("raw Kafka", List.of(9977.4)));
    }

    @Test
    void theTableSaysEachRowIsAMedianOnlyWhenThereWereSeveralRuns() {
        Row raw = new Row(256, 0.5, 256_000, new Latency(256, 10, 20));
        Row pipeline = new Row(256, 2.0, 256_000, new Latency(32, 150, 400));
        for (int runs : new int[] {1, 3}) {
            Settings s = new Settings(256, 50, 8, 4, 0, null, null, null, Duration.ofMinutes(1), false, 0,
                    io.rlstream.events.BatchTokens.INLINE, runs);
            String table = ResultTable.format(new Result(s, raw, pipeline, 8, 32, 32, 256, 0, new Latency(256, 80, 300),
                    1000, Map.of(), Map.of(), Map.of(), List.of()));
            assertEquals(runs == 3, table.contains("each side's row: its median of 3 timed runs (all above the table)"),
                    table);
            assertEquals(runs == 3, table.contains("rlstream delivered (the run in the table; each run is checked "
                    + "alike): 8/8 batches"), table);
            assertTrue(table.contains("8/8 batches, 32/32 groups (32 distinct)"), table);
        }
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
        assertTrue(!table.contains("paced"), "no paced row without --paced\n" + table);
        // 1.5 CPU-s of the grouping app for 256 rollouts: 1.5 / 0.256 = 5.86 per 1,000
        assertTrue(table.contains("CPU-seconds per 1,000 rollouts during rlstream: grouping app 5.86, local broker 1.95"),
                table);
        assertTrue(r.complete());
    }

    @Test
    void pacedRowAndItsAuditFollowTheTable() {
        Settings s = new Settings(256, 50, 8, 4, 0, null, null, null, Duration.ofMinutes(1), true, 0);
        Row raw = new Row(256, 0.5, 256_000, new Latency(256, 10, 20));
        Row pipeline = new Row(256, 2.0, 256_000, new Latency(32, 150, 400));
        // paced at 64/s (half of the 128/s above): 256 rollouts in 4 s; a group of 8 every 8 / 64 s = 125 ms
        Row pacedRow = new Row(256, 4.0, 256_000, new Latency(32, 120, 700));
        Paced paced = new Paced(64, pacedRow, 8, 32, 32, 3.0, Map.of("grouping app", 0.64, "reward service", 0.32));
        Result r = new Result(s, raw, pipeline, 8, 32, 32, 256, 0, new Latency(256, 80, 300), 1000,
                Map.of("rollouts", 200_000L), Map.of(), Map.of(), paced, List.of());
        String table = ResultTable.format(r);
        // 256 / 4 s = 64 records/s; 256,000 bytes / 4 s = 0.064 MB/s
        assertTrue(table.contains("rlstream paced at 64/s              256      4.00          64     0.06      120      700"),
                table);
        assertTrue(table.contains("a group of 8 every 125.0 ms (64 rollouts/s, half of the median unpaced run's), sent "
                + "at most 3 ms behind schedule"), table);
        assertTrue(table.contains("delivered 8/8 batches, 32/32 groups (32 distinct), 256 samples"), table);
        // 0.64 / 0.256 = 2.50, 0.32 / 0.256 = 1.25
        assertTrue(table.contains("CPU-seconds per 1,000 rollouts during rlstream paced at 64/s: grouping app 2.50, "
                + "reward service 1.25"), table);
        assertTrue(r.complete());

        Paced duplicate = new Paced(64, pacedRow, 8, 32, 31, 3.0, Map.of());
        assertFalse(new Result(s, raw, pipeline, 8, 32, 32, 256, 0, new Latency(256, 80, 300), 1000, Map.of(), Map.of(),
                Map.of(), duplicate, List.of()).complete(), "a group that came twice makes the paced run incomplete");
        assertFalse(new Result(s, raw, pipeline, 8, 32, 32, 256, 0, new Latency(256, 80, 300), 1000, Map.of(), Map.of(),
                Map.of(), null, List.of()).complete(), "--paced without a paced result is incomplete");
    }

    @Test
    void aFixedRateShowsOnlyThePacedRowOfTheRlstreamSide() {
        Settings s = new Settings(256, 50, 8, 4, 0, null, null, null, Duration.ofMinutes(1), true, 100);
        Row raw = new Row(256, 0.5, 256_000, new Latency(256, 10, 20));
        Paced paced = new Paced(100, new Row(256, 2.6, 256_000, new Latency(32, 90, 200)), 8, 32, 32, 0, Map.of());
        Result r = new Result(s, raw, Row.NONE, 0, 0, 0, 0, 0, Latency.of(new long[0]), 1000, Map.of(), Map.of(),
                Map.of(), paced, List.of());
        String table = ResultTable.format(r);
        assertFalse(table.contains(ResultTable.PIPELINE_LABEL) || table.contains(ResultTable.RATIO_LABEL), table);
        assertTrue(table.contains("rlstream paced at 100/s"), table);
        assertTrue(table.contains("(100 rollouts/s, the rate given)"), table);
        assertTrue(r.complete(), "the unpaced run was not asked for, so its empty counts are no failure");
    }

    @Test
    void cpuOutsideTheJitLeavesTheCompilerOutOfBothSidesAndDividesThem() {
        Map<String, Double> raw = new java.util.LinkedHashMap<>();
        raw.put(CpuMeter.JIT, 0.9);
        raw.put("bench clients", 1.5);
        raw.put("local broker", 0.7);
        Map<String, Double> rlstream = new java.util.LinkedHashMap<>();
        rlstream.put(CpuMeter.JIT, 4.6);
        rlstream.put("grouping app", 3.6);
        rlstream.put("local broker", 3.1);
        rlstream.put("bench clients", 1.9);
        rlstream.put("reward service", 1.4);
        // raw: (1.5 + 0.7) / 16 = 0.1375; rlstream: (3.6 + 3.1 + 1.9 + 1.4) / 16 = 0.625; 0.1375 / 0.625 = 0.22
        assertEquals("CPU-seconds per 1,000 rollouts, JIT compiler left out: raw Kafka 0.138, rlstream 0.625; "
                + "raw / rlstream 0.22\n", ResultTable.cpuOutsideTheJit(16_000, raw, 16_000, rlstream)
                        .replace(System.lineSeparator(), "\n"));
        // Other counts on each side: raw 2.2 / 8 = 0.275, rlstream 10 / 32 = 0.3125, 0.275 / 0.3125 = 0.88
        assertTrue(ResultTable.cpuOutsideTheJit(8_000, raw, 32_000, rlstream).endsWith("raw / rlstream 0.88"
                + System.lineSeparator()));
        // The rlstream services' threads, idle during a raw run between their runs, are not raw's work either.
        Map<String, Double> rawWithIdleServices = new java.util.LinkedHashMap<>(raw);
        rawWithIdleServices.put(PipelineRun.IDLE_SERVICES, 0.3);
        assertTrue(ResultTable.cpuOutsideTheJit(16_000, rawWithIdleServices, 16_000, rlstream)
                .contains("raw Kafka 0.138, rlstream 0.625; raw / rlstream 0.22"));
        assertEquals("", ResultTable.cpuOutsideTheJit(16_000, raw, 0, rlstream), "nothing arrived: no line");
        assertEquals("", ResultTable.cpuOutsideTheJit(16_000, Map.of(), 16_000, rlstream), "no reading: no line");
    }

    @Test
    void theTableGivesTheCpuRatioOnlyWhenBothSidesRanAndWereMeasured() {
        Settings s = new Settings(256, 50, 8, 4, 0, null, null, null, Duration.ofMinutes(1));
        Row raw = new Row(256, 0.5, 256_000, new Latency(256, 10, 20));
        Row pipeline = new Row(256, 2.0, 256_000, new Latency(32, 150, 400));
        Map<String, Double> rawCpu = Map.of(CpuMeter.JIT, 0.1, "bench clients", 0.064);
        Map<String, Double> rlstreamCpu = Map.of(CpuMeter.JIT, 1.0, "grouping app", 0.192, "local broker", 0.064);
        Result r = new Result(s, raw, pipeline, 8, 32, 32, 256, 0, new Latency(256, 80, 300), 1000, Map.of(), rawCpu,
                rlstreamCpu, List.of());
        // raw 0.064 / 0.256 = 0.250; rlstream (0.192 + 0.064) / 0.256 = 1.000; 0.25 / 1 = 0.25
        assertTrue(ResultTable.format(r).contains("CPU-seconds per 1,000 rollouts, JIT compiler left out: raw Kafka "
                + "0.250, rlstream 1.000; raw / rlstream 0.25"), ResultTable.format(r));
        Result rawNotMeasured = new Result(s, raw, pipeline, 8, 32, 32, 256, 0, new Latency(256, 80, 300), 1000,
                Map.of(), Map.of(), rlstreamCpu, List.of());
        assertFalse(ResultTable.format(rawNotMeasured).contains("JIT compiler left out"));
        Settings rateOnly = new Settings(256, 50, 8, 4, 0, null, null, null, Duration.ofMinutes(1), true, 100);
        Paced paced = new Paced(100, new Row(256, 2.6, 256_000, new Latency(32, 90, 200)), 8, 32, 32, 0, rlstreamCpu);
        Result noUnpacedRun = new Result(rateOnly, raw, Row.NONE, 0, 0, 0, 0, 0, Latency.of(new long[0]), 1000,
                Map.of(), rawCpu, Map.of(), paced, List.of());
        assertFalse(ResultTable.format(noUnpacedRun).contains("JIT compiler left out"),
                "--rate: no unpaced rlstream run to compare with");
    }

    @Test
    void cpuPerThousandRolloutsDividesByRolloutsOverAThousand() {
        Map<String, Double> cpu = new java.util.LinkedHashMap<>();
        cpu.put("this JVM, JIT compiler", 3.0);
        cpu.put("local broker", 10.4);
        cpu.put("grouping app", 14.1);
        cpu.put("reward service", 6.4);
        // 16,000 rollouts are 16 thousands: 14.1 / 16 = 0.88, 6.4 / 16 = 0.40, 10.4 / 16 = 0.65; the JIT is not a service
        assertEquals("CPU-seconds per 1,000 rollouts during rlstream: grouping app 0.88, reward service 0.40, "
                + "local broker 0.65\n", ResultTable.cpuPerThousandRollouts("rlstream", 16_000, cpu)
                        .replace(System.lineSeparator(), "\n"));
        assertEquals("", ResultTable.cpuPerThousandRollouts("rlstream", 0, cpu), "nothing arrived: no line");
        assertEquals("", ResultTable.cpuPerThousandRollouts("rlstream", 16_000, Map.of("this JVM, other threads", 1.0)));
    }

    @Test
    void bytesPerRolloutByteIsEachTopicOverTheRolloutsTopic() {
        Map<String, Long> bytes = new java.util.LinkedHashMap<>(); // largest first, as BrokerFootprint gives it
        bytes.put("bench-raw-rollouts", 82_000_000L);
        bytes.put("rollouts", 80_000_000L);
        bytes.put("processors-group-rollouts-changelog", 80_000_000L);
        bytes.put("processors-outcomes-repartition", 80_000_000L);
        bytes.put("training-batches", 80_000_000L);
        bytes.put("processors-batch-buffer-changelog", 78_400_000L);
        bytes.put("rewards", 2_400_000L);
        bytes.put("metrics", 500_000L);
        bytes.put("prompts", 300_000L);
        // per rollout byte: 80 / 80 = 1.00, 78.4 / 80 = 0.98, 2.4 / 80 = 0.03; metrics and prompts are under 1% of
        // 80 MB (0.8 MB), summed: 0.8 MB, 0.01; total without the raw topic: 4 x 80 + 78.4 + 2.4 + 0.8 = 401.6 MB,
        // 401.6 / 80 = 5.02
        String expected = """
                bytes on the broker per rollout byte (compressed; warm-up included; run prefix left out):
                  topic                                      MB    per rollout byte
                  rollouts                                 80.0                1.00
                  processors-group-rollouts-changelog      80.0                1.00
                  processors-outcomes-repartition          80.0                1.00
                  training-batches                         80.0                1.00
                  processors-batch-buffer-changelog        78.4                0.98
                  rewards                                   2.4                0.03
                  2 smaller topics                          0.8                0.01
                  total of the pipeline's topics          401.6                5.02
                  (not in the total: bench-raw-rollouts, the raw Kafka side's topic, 82.0 MB)
                """;
        assertEquals(expected, ResultTable.bytesPerRolloutByte(bytes, "rollouts", "bench-raw-rollouts")
                .replace(System.lineSeparator(), "\n"));
    }

    @Test
    void bytesPerRolloutByteWithoutARolloutsTopicShowsNoRatio() {
        String table = ResultTable.bytesPerRolloutByte(Map.of("training-batches", 1_000_000L), "rollouts", "raw");
        assertTrue(table.contains("total of the pipeline's topics  ") && table.trim().endsWith("-"), table);
    }
}
