package io.rlstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.bench.ProcessorsBenchmark.Result;
import io.rlstream.bench.ProcessorsBenchmark.Settings;
import io.rlstream.testkit.KafkaFixture;
import io.rlstream.testkit.RegistryFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark at a tiny size against a real broker and the real registry: 256 rollouts of 50
 * tokens in groups of 8 are 32 groups, in batches of 4 groups are 8 batches (after 64 warm-up
 * rollouts, which must not be counted). Every group must arrive exactly once (dynamic sampling keeps them all: each has a right and a wrong answer),
 * every rollout must get an OK reward (the prompts were loaded first), both sides must report a
 * positive rate, and the run's topics must be gone afterwards. Paced, the same holds for the
 * paced run's 32 groups of their own, sent at half the unpaced run's rollouts/s or at the rate given.
 */
class ProcessorsBenchmarkIT {

    private static KafkaFixture kafka;

    @BeforeAll
    static void up() {
        kafka = KafkaFixture.start();
    }

    @AfterAll
    static void down() {
        kafka.close();
    }

    @Test
    void measureDeliversEveryGroupOnceAndTimesBothSides(@TempDir Path runDir) throws Exception {
        Settings settings = new Settings(256, 50, 8, 4, 64, kafka.bootstrapServers(), RegistryFixture.url(), runDir,
                Duration.ofMinutes(3), true, 0);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Result r = ProcessorsBenchmark.measure(settings, new PrintStream(log, true, StandardCharsets.UTF_8));
        String why = ResultTable.format(r) + "\n" + log.toString(StandardCharsets.UTF_8);

        assertTrue(r.problems().isEmpty(), why);
        assertEquals(32, r.groupsBatched(), "rollouts / G = 256 / 8 groups batched\n" + why);
        assertEquals(32, r.distinctGroups(), "each group once\n" + why);
        assertEquals(8, r.batches(), "32 groups / B 4\n" + why);
        assertEquals(256, r.rlstream().records(), "every rollout is a sample of a batch\n" + why);
        assertEquals(256, r.raw().records(), why);
        assertEquals(256, r.rewards(), why);
        assertEquals(0, r.failedRewards(), "the reward service knew every prompt's answer\n" + why);
        assertTrue(r.complete(), why);

        assertTrue(r.raw().recordsPerSecond() > 0 && r.raw().megabytesPerSecond() > 0, why);
        assertTrue(r.rlstream().recordsPerSecond() > 0 && r.rlstream().megabytesPerSecond() > 0, why);
        assertEquals(256, r.raw().latency().count(), "one latency per raw record");
        // three raw runs, and the table's is the median one by records/s
        java.util.regex.Matcher runs = java.util.regex.Pattern.compile("raw Kafka: 3 runs at (\\d+), (\\d+), (\\d+) "
                + "records/s").matcher(log.toString(StandardCharsets.UTF_8));
        assertTrue(runs.find(), why);
        long[] rates = java.util.stream.IntStream.rangeClosed(1, 3).mapToLong(i -> Long.parseLong(runs.group(i)))
                .sorted().toArray();
        assertEquals(rates[1], Math.round(r.raw().recordsPerSecond()), why);
        // three rlstream runs, each with groups of its own and each delivering all of them once (or
        // the table would show that run with its problems), and the table's is the median one
        java.util.regex.Matcher pipelineRuns = java.util.regex.Pattern.compile("rlstream: 3 runs at (\\d+), (\\d+), "
                + "(\\d+) records/s; the table shows the median run").matcher(log.toString(StandardCharsets.UTF_8));
        assertTrue(pipelineRuns.find(), why);
        long[] pipelineRates = java.util.stream.IntStream.rangeClosed(1, 3)
                .mapToLong(i -> Long.parseLong(pipelineRuns.group(i))).sorted().toArray();
        assertEquals(pipelineRates[1], Math.round(r.rlstream().recordsPerSecond()), why);
        // the sides alternate: each raw run right after the rlstream run of the same number
        List<String> sends = log.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.matches("(rlstream run \\d of 3|raw Kafka): sending .*")).map(l -> l.substring(0, 8))
                .toList();
        assertEquals(List.of("rlstream", "raw Kafk", "rlstream", "raw Kafk", "rlstream", "raw Kafk"), sends, why);
        assertEquals(32, r.rlstream().latency().count(), "one reward-to-batch latency per group");
        assertTrue(r.rlstream().latency().p50Ms() >= 0, "a batch is read after its rewards are scored\n" + why);
        assertTrue(r.rlstream().latency().p50Ms() <= r.rlstream().latency().p99Ms(), why);
        assertTrue(r.rolloutBytes() > 50 * 5, "50 tokens cost ~5 bytes each: " + r.rolloutBytes());
        assertTrue(r.brokerBytes().containsKey("rollouts") && r.brokerBytes().containsKey("training-batches"), why);

        ProcessorsBenchmark.Paced paced = r.paced();
        assertTrue(paced != null, why);
        assertEquals(r.rlstream().recordsPerSecond() / 2, paced.rate(), 1e-9, "half the unpaced rollouts/s\n" + why);
        assertEquals(32, paced.groupsBatched(), "the paced run's own 32 groups\n" + why);
        assertEquals(32, paced.distinctGroups(), "each once\n" + why);
        assertEquals(8, paced.batches(), why);
        assertEquals(256, paced.row().records(), why);
        assertEquals(32, paced.row().latency().count(), "one reward-to-batch latency per paced group\n" + why);
        // 32 groups at R/s: the last is sent 31 x 8 / R s after the first, so the run takes at least that long
        assertTrue(paced.row().seconds() >= 31 * 8 / paced.rate(), why);
        assertRunTopicsDeleted();
    }

    @Test
    void commandPrintsTheTableAndExitsZero() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ProcessorsBenchmark.run(List.of("--rollouts", "256", "--tokens", "50", "--group-size", "8",
                "--batch-groups", "4", "--bootstrap-server", kafka.bootstrapServers(), "--registry-url",
                RegistryFixture.url(), "--timeout-seconds", "180", "--paced", "--runs", "2"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        // the table's row, not the progress lines ("rlstream paced at R/s: sending ...")
        String pacedLabel = text.lines().filter(l -> l.matches("rlstream paced at \\d+/s +256 .*")).findFirst()
                .orElseThrow(() -> new AssertionError("no paced row in\n" + text)).substring(0, 30).trim();
        for (String label : List.of(ResultTable.RAW_LABEL, ResultTable.PIPELINE_LABEL, pacedLabel)) {
            String[] columns = line(text, label + " ").substring(label.length()).trim().split("\\s+");
            assertEquals("256", columns[0], label + " records\n" + text);
            assertTrue(Double.parseDouble(columns[2]) > 0, label + " records/s\n" + text);
            assertTrue(Double.parseDouble(columns[3]) > 0, label + " MB/s\n" + text);
        }
        assertTrue(line(text, ResultTable.RATIO_LABEL).length() > ResultTable.RATIO_LABEL.length(), text);
        // --runs 2: two timed runs a side, the slower of the two in the table
        String twoRuns = line(text, "rlstream: 2 runs at ");
        assertTrue(twoRuns.endsWith("records/s; the table shows the median run"), text);
        long slower = java.util.Arrays.stream(twoRuns.substring("rlstream: 2 runs at ".length(), twoRuns.indexOf(" records/s"))
                .split(", ")).mapToLong(Long::parseLong).min().orElseThrow();
        String[] pipelineRow = line(text, ResultTable.PIPELINE_LABEL + " ").substring(ResultTable.PIPELINE_LABEL.length())
                .trim().split("\\s+");
        assertEquals(slower, Long.parseLong(pipelineRow[2]), "the table's rlstream records/s: the slower run\n" + text);
        assertTrue(line(text, "raw Kafka: 2 runs at ").endsWith("records/s; the table shows the median run"), text);
        assertTrue(text.contains("each side's row: its median of 2 timed runs"), text);
        assertTrue(text.contains("8/8 batches, 32/32 groups (32 distinct)"), text);
        assertTrue(text.contains("delivered 8/8 batches, 32/32 groups (32 distinct), 256 samples; goal"), "paced\n" + text);
        // the rollouts topic is 1.00 of itself; every topic of the run but the raw one is in the total
        assertTrue(line(text, "  rollouts ").trim().endsWith(" 1.00"), text);
        assertTrue(line(text, "  total of the pipeline's topics").length() > 0, text);
        assertTrue(line(text, "CPU-seconds per 1,000 rollouts during rlstream:").contains("grouping app "), text);
        // both sides measured: their CPU per 1,000 rollouts without the compiler, and raw's over rlstream's
        assertTrue(line(text, "CPU-seconds per 1,000 rollouts, JIT compiler left out: raw Kafka ")
                .matches(".*rlstream \\d+\\.\\d{3}; raw / rlstream \\d+\\.\\d{2}"), text);
        assertTrue(!text.contains("INCOMPLETE"), text);
        assertRunTopicsDeleted();
    }

    @Test
    void aFixedRateRunsTheRawSideAloneAfterThePacedRun() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = ProcessorsBenchmark.run(List.of("--rollouts", "256", "--tokens", "50", "--group-size", "8",
                "--batch-groups", "4", "--warmup-rollouts", "0", "--bootstrap-server", kafka.bootstrapServers(),
                "--registry-url", RegistryFixture.url(), "--timeout-seconds", "180", "--rate", "400", "--runs", "2"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        // no unpaced rlstream run to go between: the paced run, then both raw runs
        List<String> sends = text.lines().filter(l -> l.matches("(rlstream.*|raw Kafka): sending .*"))
                .map(l -> l.startsWith("raw") ? "raw" : "rlstream").toList();
        assertEquals(List.of("rlstream", "raw", "raw"), sends, text);
        assertTrue(line(text, "raw Kafka: 2 runs at ").endsWith("the table shows the median run"), text);
        assertTrue(text.lines().noneMatch(l -> l.startsWith("rlstream: ") && l.contains(" runs at ")), text);
        assertTrue(text.contains("delivered 8/8 batches, 32/32 groups (32 distinct), 256 samples"), text);
        assertRunTopicsDeleted();
    }

    private static String line(String text, String start) {
        return text.lines().filter(l -> l.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + start + "' in\n" + text));
    }

    private static void assertRunTopicsDeleted() throws Exception {
        List<String> left = kafka.admin().listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(t -> t.startsWith("bench-")).toList();
        assertEquals(List.of(), left, "the run's topics are deleted from a cluster the user named");
    }
}
