package io.rlstream.bench;

import io.rlstream.bench.SyntheticRollouts.Payload;
import io.rlstream.config.CommandExecution;
import io.rlstream.events.Rollout;
import io.rlstream.ops.LocalPlatform;
import io.rlstream.ops.TopicAdmin;
import io.rlstream.schemas.RegistrySerdes;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rlstream bench processors}: what the data side of rlstream costs on top of Kafka itself.
 * In one run on one broker it measures, side by side:
 * <ol>
 *   <li><b>rlstream</b>: N synthetic rollouts (T tokens each, G per group, mixed right and wrong
 *       answers) through the real {@code RewardService} (numeric-exact verifier, reference answers
 *       from a global table over rl.prompts) and the real {@code GroupingApp} (join, group, GRPO
 *       advantages, dynamic sampling, batches of B groups; both exactly-once with registry
 *       serdes) until a read_committed consumer has read every group from rl.training-batches;
 *       K times (three by default), each run with N rollouts of groups of its own, the median run
 *       counts (its rate varied by a third between runs with the same settings);</li>
 *   <li><b>raw Kafka</b>: the same serialized rollouts produced to a plain topic with the same
 *       partition count and read back by one consumer; K times, the median run counts (one
 *       raw run lasts a second or three, and its rate varies by 2x from run to run).</li>
 * </ol>
 * Both sides send the same bytes with the same producer settings (acks=all, linger 5 ms, 256 KiB
 * batches, zstd). Each side first sends W warm-up rollouts untimed (at 16,000 rollouts on 2
 * cores, a cold run spent a quarter of its CPU in the JIT compiler); the pipeline's warm-up and
 * first run go first, so that a warmer JVM does not flatter the ratio, and then the sides
 * alternate (rlstream run, raw run, rlstream run, ...), so that each pair shares the minute of a
 * shared machine and whatever state the runs before it left (the raw side was a tenth slower
 * after three rlstream runs than after one). Every run uses its own
 * topic prefix and application ids; on a cluster the user names, its topics are deleted at the end.
 * With {@code --paced} the rlstream side runs once more, on the same running services, with N
 * rollouts of new groups sent a group at a time at half the unpaced rollouts/s (or at
 * {@code --rate}): the latency at a load the pipeline can carry, which issue 18 wants under 1 s
 * at p99.
 */
@Command(name = "processors", description = ProcessorsBenchmark.DESCRIPTION, footer = ProcessorsBenchmark.FOOTER, sortOptions = false)
public final class ProcessorsBenchmark extends BenchCommand.Parsed {

    /** What the command does, above its flags in {@code --help}. */
    static final String DESCRIPTION = """
            Measures in one run, on one broker, side by side:
              rlstream    synthetic rollouts through the real reward service (numeric-exact verifier)
                          and the grouping app (join, groups, GRPO advantages, dynamic sampling,
                          batches; exactly-once) until a read_committed consumer has read every
                          batch from rl.training-batches; three runs (--runs), the median counts
              raw Kafka   the same serialized rollouts produced to a plain topic with as many
                          partitions, read back by one consumer; a run after each rlstream run,
                          the median counts
            and prints records/s, MB/s and latency percentiles of both, and their ratio.
            """;

    /** Below the flags in {@code --help}. */
    static final String FOOTER = """

            Besides the table it prints the bytes each topic of the run holds on the broker per
            rollout byte (the rollouts topic is 1.0; the total is what the pipeline writes for each
            byte a worker sends), the CPU-seconds per 1,000 rollouts of the grouping app, the
            reward service and the local broker, and both sides' CPU-seconds per 1,000 rollouts
            with the JIT compiler's threads left out, and raw's over rlstream's: what each side's
            own work costs. On a small machine the records/s ratio follows it at the defaults; in
            long runs it is higher by the compiler's share of the rlstream run.

            Memory: the serialized rollouts and the batch records read are held in memory, about
            2.5 x N x (5 x T + 100) bytes (200 MB at the defaults); N x (5 x T + 100) more with
            --runs above 1 (the default is 3: one later run's rollouts at a time), and as much
            again with --paced (the paced run's rollouts).

            Exit codes: 0 every batch arrived; 1 timeout or failure; 2 wrong usage.
            """;

    static final List<String> VALUE_FLAGS = List.of("rollouts", "tokens", "group-size", "batch-groups",
            "warmup-rollouts", "bootstrap-server", "registry-url", "run-dir", "timeout-seconds", "rate", "batch-tokens", "runs");

    /** The flag without a value: pace the rlstream side at half of what its unpaced run measured. */
    static final String PACED_FLAG = "--paced";

    /** Suffix (after the run's prefix) of the plain topic of the baseline. */
    static final String RAW_TOPIC_SUFFIX = "bench-raw-rollouts";

    /**
     * Apicurio's client warns on every serde that the 2.x server API is deprecated, and once that
     * it uses a shared Vert.x instance: known, and noise in a benchmark's output. The first comes
     * from a logger named by the class's simple name, outside the io.apicurio hierarchy.
     * Held here because java.util.logging keeps only weak references to loggers.
     */
    private static final List<java.util.logging.Logger> APICURIO_LOGS = List.of(
            java.util.logging.Logger.getLogger("io.apicurio"),
            java.util.logging.Logger.getLogger("RegistryClientFacadeFactory"));

    /**
     * Kafka loggers (slf4j-simple, which reads a logger's level from a system property when the
     * logger is made) that warn at every run about things known and harmless in this benchmark,
     * raised to ERROR so that errors still show. Set before any Kafka class logs; a level given
     * on the command line ({@code -Dorg.slf4j.simpleLogger.log.NAME=warn}) wins.
     * <ul>
     *   <li>StreamsConfig: "Processing exception handler is not enabled for the GlobalThread",
     *       once per app, even though both apps set {@code processing.exception.handler.global.enabled}:
     *       in Kafka 4.3 the partition assignor builds its own StreamsConfig from the consumer's
     *       settings (AssignorConfiguration, ClientUtils.QuietStreamsConfig), which never carry it.</li>
     *   <li>StateDirectory: "Using an OS temp directory in the state.dir": the run's folder is a
     *       temporary one on purpose (deleted at the end; {@code --run-dir} for another).</li>
     *   <li>NetworkClient: "The metadata response ... reported a recoverable issue ...
     *       UNKNOWN_TOPIC_OR_PARTITION" for the grouping app's repartition topic, which its
     *       consumer asks for before the first rebalance creates it. A broker the bench cannot
     *       reach still ends the run: every wait has a deadline and says what it waited for.</li>
     *   <li>OffsetFetcherUtils: "Not updating last stable offset for partition ... as it is no
     *       longer assigned", from the reward service's global consumer: an offsets reply that
     *       comes after it gave rl.prompts up, once it had read the topic to its end at start.</li>
     * </ul>
     */
    static final List<String> QUIET_KAFKA_LOGGERS = List.of(
            "org.apache.kafka.streams.StreamsConfig",
            "org.apache.kafka.streams.processor.internals.StateDirectory",
            "org.apache.kafka.clients.NetworkClient",
            "org.apache.kafka.clients.consumer.internals.OffsetFetcherUtils");

    /**
     * What to measure and where.
     *
     * @param rollouts         N: synthetic rollouts sent through each side
     * @param tokens           T: response tokens per rollout
     * @param groupSize        G: rollouts per group; at least 2, so every group has mixed rewards and is kept
     * @param batchGroups      B: groups per training batch
     * @param warmupRollouts   W: rollouts sent through each side before the measured ones, untimed
     * @param bootstrapServers an existing cluster, or null to start a local broker and registry
     * @param registryUrl      that cluster's registry (Apicurio v2 API root); null exactly when bootstrapServers is
     * @param runDir           folder for the local platform and the Streams state; null: a temporary one, deleted after
     * @param timeout          the whole run gives up after this long and reports what it got
     * @param paced            also run the rlstream side paced: at {@code rate}, or else at half the unpaced rollouts/s
     * @param rate             rollouts/s to pace at, and then no unpaced rlstream run; 0: none given
     * @param batchTokens      the grouping app's batch.tokens: batches with their tokens (INLINE) or with positions
     *                         on rl.rollouts (REFERENCE), which the batch reader resolves before it counts a batch read
     */
    public record Settings(int rollouts, int tokens, int groupSize, int batchGroups, int warmupRollouts,
            String bootstrapServers, String registryUrl, Path runDir, Duration timeout, boolean paced, double rate,
            io.rlstream.events.BatchTokens batchTokens, int runs) {

        /**
         * Timed runs per side; the table shows each side's median run by records/s. One raw run's
         * rate varied by 2x from the next, and one rlstream run's by a third from the next with the
         * same settings on the same quiet 2-core machine (docs/benchmarks.md): a median of each side.
         */
        public static final int DEFAULT_RUNS = 3;
        /** Enough for a median, few enough that a run stays in minutes. */
        public static final int MAX_RUNS = 9;
        public static final int DEFAULT_ROLLOUTS = 16_000;
        public static final int DEFAULT_TOKENS = 1_000;
        public static final int DEFAULT_GROUP_SIZE = 8;
        public static final int DEFAULT_BATCH_GROUPS = 16;
        public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

        public Settings {
            if (tokens < 1) {
                throw new IllegalArgumentException("--tokens must be >= 1, got " + tokens);
            }
            if (groupSize < 2) {
                throw new IllegalArgumentException("--group-size must be >= 2 (a group of one has no baseline and "
                        + "dynamic sampling drops it), got " + groupSize);
            }
            if (batchGroups < 1) {
                throw new IllegalArgumentException("--batch-groups must be >= 1, got " + batchGroups);
            }
            long perBatch = (long) groupSize * batchGroups;
            if (rollouts < perBatch || rollouts % perBatch != 0) {
                throw new IllegalArgumentException("--rollouts must be a positive multiple of group-size x batch-groups ("
                        + groupSize + " x " + batchGroups + " = " + perBatch + ") so that every group lands in a full "
                        + "batch; got " + rollouts
                        + (rollouts > perBatch ? ", try " + (rollouts / perBatch * perBatch) : ""));
            }
            if (warmupRollouts < 0 || warmupRollouts % perBatch != 0) {
                throw new IllegalArgumentException("--warmup-rollouts must be 0 or a multiple of group-size x "
                        + "batch-groups (" + perBatch + "), got " + warmupRollouts);
            }
            if ((bootstrapServers == null) != (registryUrl == null)) {
                throw new IllegalArgumentException("give both --bootstrap-server and --registry-url (an existing "
                        + "cluster) or neither (a local broker and registry are started)");
            }
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("the timeout must be positive, got " + timeout);
            }
            if (rate < 0 || Double.isNaN(rate) || Double.isInfinite(rate)) {
                throw new IllegalArgumentException("--rate must be a positive number of rollouts/s, got " + rate);
            }
            if (rate > 0 && !paced) {
                throw new IllegalArgumentException("a rate is a paced run: set paced too");
            }
            if (batchTokens == null) {
                throw new IllegalArgumentException("--batch-tokens must be inline or reference");
            }
            if (runs < 1 || runs > MAX_RUNS) {
                throw new IllegalArgumentException("--runs must be 1 to " + MAX_RUNS + " (timed runs per side; the "
                        + "table shows the median), got " + runs);
            }
        }

        /** {@value #DEFAULT_RUNS} timed runs per side. */
        public Settings(int rollouts, int tokens, int groupSize, int batchGroups, int warmupRollouts,
                String bootstrapServers, String registryUrl, Path runDir, Duration timeout, boolean paced, double rate,
                io.rlstream.events.BatchTokens batchTokens) {
            this(rollouts, tokens, groupSize, batchGroups, warmupRollouts, bootstrapServers, registryUrl, runDir, timeout,
                    paced, rate, batchTokens, DEFAULT_RUNS);
        }

        /** Batches with their tokens inline (the processors' default). */
        public Settings(int rollouts, int tokens, int groupSize, int batchGroups, int warmupRollouts,
                String bootstrapServers, String registryUrl, Path runDir, Duration timeout, boolean paced, double rate) {
            this(rollouts, tokens, groupSize, batchGroups, warmupRollouts, bootstrapServers, registryUrl, runDir, timeout,
                    paced, rate, io.rlstream.events.BatchTokens.INLINE);
        }

        /** The given settings with no paced run. */
        public Settings(int rollouts, int tokens, int groupSize, int batchGroups, int warmupRollouts,
                String bootstrapServers, String registryUrl, Path runDir, Duration timeout) {
            this(rollouts, tokens, groupSize, batchGroups, warmupRollouts, bootstrapServers, registryUrl, runDir, timeout,
                    false, 0);
        }

        /** The defaults, on a local platform in a temporary folder. */
        public static Settings defaults() {
            return new Settings(DEFAULT_ROLLOUTS, DEFAULT_TOKENS, DEFAULT_GROUP_SIZE, DEFAULT_BATCH_GROUPS,
                    defaultWarmup(DEFAULT_ROLLOUTS, DEFAULT_GROUP_SIZE, DEFAULT_BATCH_GROUPS), null, null, null,
                    DEFAULT_TIMEOUT);
        }

        /**
         * A quarter of the measured rollouts, in whole batches. Measured at the defaults on 2
         * cores: without it the JIT compiler took a quarter of the CPU of the rlstream run.
         */
        public static int defaultWarmup(int rollouts, int groupSize, int batchGroups) {
            int perBatch = groupSize * batchGroups;
            return perBatch <= 0 ? 0 : rollouts / 4 / perBatch * perBatch;
        }

        public int warmupGroups() {
            return warmupRollouts / groupSize;
        }

        public int groups() {
            return rollouts / groupSize;
        }

        public int batches() {
            return groups() / batchGroups;
        }

        /** Whether the rlstream side runs unpaced (everything at once): always, unless a fixed rate was given. */
        public boolean unpaced() {
            return rate == 0;
        }

        /**
         * Unpaced rlstream runs: {@link #runs()}, or none when a fixed rate was given (the raw side
         * runs {@link #runs()} times either way).
         */
        public int unpacedRuns() {
            return unpaced() ? runs : 0;
        }

        /**
         * The first group of unpaced rlstream run {@code run} (0-based): every run needs groups of
         * its own, since the grouping app closes a group once. Run 0's rollouts are also the raw
         * side's payload.
         */
        public int runFirstGroup(int run) {
            return run * groups();
        }

        /**
         * The first warm-up group: after the unpaced runs' groups (0 .. runs x N/G - 1), or after
         * the paced run's (0 .. N/G - 1) when a fixed rate was given.
         */
        public int warmupFirstGroup() {
            return unpaced() ? runFirstGroup(runs) : groups();
        }

        /**
         * The first group of the paced run: after an unpaced run it needs groups of its own, after
         * the warm-up's; with a fixed rate it takes groups 0 .. N/G - 1.
         */
        public int pacedFirstGroup() {
            return unpaced() ? warmupFirstGroup() + warmupGroups() : 0;
        }

        /** How many prompts the run needs: one per group, ids 0 .. this - 1. */
        public int promptGroups() {
            return warmupFirstGroup() + warmupGroups() + (paced && unpaced() ? groups() : 0);
        }

        /** True when the run uses a cluster the user named instead of starting a local one. */
        public boolean external() {
            return bootstrapServers != null;
        }
    }

    /**
     * Latency percentiles in milliseconds (nearest rank); NaN when nothing was measured.
     *
     * @param count how many latencies were measured
     */
    public record Latency(int count, double p50Ms, double p99Ms) {

        public static Latency of(long[] millis) {
            if (millis.length == 0) {
                return new Latency(0, Double.NaN, Double.NaN);
            }
            long[] sorted = millis.clone();
            Arrays.sort(sorted);
            return new Latency(sorted.length, percentile(sorted, 0.50), percentile(sorted, 0.99));
        }

        /** The smallest value with at least {@code q} of all values at or below it. */
        static double percentile(long[] sorted, double q) {
            int rank = (int) Math.ceil(q * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
        }
    }

    /**
     * One side's numbers.
     *
     * @param records rollouts that arrived (raw: records read; rlstream: samples in the batches read)
     * @param seconds from the first rollout sent until the last one arrived
     * @param bytes   serialized rollout bytes that arrived
     * @param latency see {@link ResultTable}: per record (raw) or per group, reward to batch (rlstream)
     */
    public record Row(long records, double seconds, long bytes, Latency latency) {

        static final Row NONE = new Row(0, 0, 0, Latency.of(new long[0]));

        public double recordsPerSecond() {
            return seconds > 0 ? records / seconds : 0;
        }

        /** Serialized rollout bytes per second, in 10^6 bytes. */
        public double megabytesPerSecond() {
            return seconds > 0 ? bytes / 1e6 / seconds : 0;
        }
    }

    /**
     * The paced rlstream run.
     *
     * @param rate            rollouts/s it was paced at
     * @param row             its numbers, with the same latency as the unpaced row's
     * @param batches         distinct batch ids read
     * @param groupsBatched   batch records (one group each) read
     * @param distinctGroups  distinct group ids among them
     * @param maxBehindMillis how late the latest group was sent after its instant (0: the sender kept the pace)
     * @param cpu             CPU seconds per part while it ran
     */
    public record Paced(double rate, Row row, long batches, long groupsBatched, long distinctGroups,
            double maxBehindMillis, Map<String, Double> cpu) {
    }

    /**
     * What a run measured.
     *
     * @param batches        distinct batch ids read from rl.training-batches
     * @param groupsBatched  batch records (one group each) read
     * @param distinctGroups distinct group ids among them (equal to groupsBatched unless one came twice)
     * @param rewards        rewards read from rl.rewards
     * @param failedRewards  of which status FAILED
     * @param sentToRewarded per rollout, its send to its reward's scored_at
     * @param rolloutBytes   average serialized size of a rollout
     * @param brokerBytes    bytes on the broker per topic of the run (prefix left out), largest first
     * @param rawCpu         CPU seconds per part (threads of this JVM by role, the local broker) during the raw run
     * @param rlstreamCpu    the same during the rlstream run
     * @param paced          the paced rlstream run; null when it did not run
     * @param problems       why the run is incomplete; empty when every batch and record arrived
     */
    public record Result(Settings settings, Row raw, Row rlstream, long batches, long groupsBatched, long distinctGroups,
            long rewards, long failedRewards, Latency sentToRewarded, double rolloutBytes, Map<String, Long> brokerBytes,
            Map<String, Double> rawCpu, Map<String, Double> rlstreamCpu, Paced paced, List<String> problems) {

        /** A run without a paced rlstream run. */
        public Result(Settings settings, Row raw, Row rlstream, long batches, long groupsBatched, long distinctGroups,
                long rewards, long failedRewards, Latency sentToRewarded, double rolloutBytes,
                Map<String, Long> brokerBytes, Map<String, Double> rawCpu, Map<String, Double> rlstreamCpu,
                List<String> problems) {
            this(settings, raw, rlstream, batches, groupsBatched, distinctGroups, rewards, failedRewards, sentToRewarded,
                    rolloutBytes, brokerBytes, rawCpu, rlstreamCpu, null, problems);
        }

        /** Every batch of every run that the settings ask for arrived, each group exactly once. */
        public boolean complete() {
            int groups = settings.groups();
            boolean unpacedComplete = !settings.unpaced() || (groupsBatched == groups && distinctGroups == groups
                    && batches == settings.batches());
            boolean pacedComplete = !settings.paced() || (paced != null && paced.groupsBatched() == groups
                    && paced.distinctGroups() == groups && paced.batches() == settings.batches());
            return problems.isEmpty() && unpacedComplete && pacedComplete && raw.records() == settings.rollouts();
        }
    }

    /** A command object for picocli (a subcommand of {@code rlstream bench}). */
    public ProcessorsBenchmark() {
    }

    @Option(names = "--rollouts", paramLabel = "N", description = "Rollouts on each side (default 16000); a multiple of G x B.")
    String rollouts;

    @Option(names = "--tokens", paramLabel = "T", description = "Response tokens per rollout (default 1000, ~5 bytes each).")
    String tokens;

    @Option(names = "--group-size", paramLabel = "G", description = "Rollouts per group, at least 2 (default 8).")
    String groupSize;

    @Option(names = "--batch-groups", paramLabel = "B", description = "Groups per training batch (default 16).")
    String batchGroups;

    @Option(names = "--warmup-rollouts", paramLabel = "W", description = "Rollouts sent through each side first, untimed, so that the hottest code is compiled before the clock starts (default: a quarter of N, rounded down to a multiple of G x B; 0 for none). A longer warm-up gets more of the pipeline's code compiled before the clock starts (its CPU per rollout falls), but on a small machine the JIT compiler still works through the timed run (the CPU line's \"JIT compiler\").")
    String warmupRollouts;

    @Option(names = "--runs", paramLabel = "K", description = "Timed runs per side, 1 to 9 (default 3), alternating: rlstream run 1, raw Kafka run 1, rlstream run 2, and so on. Each rlstream run sends N rollouts of groups of its own through the same running services; each raw run sends the same N rollouts. The table shows each side's median run by records/s; a line before it gives every run's rate.")
    String runs;

    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT", description = "Use this cluster (give --registry-url too); the run's topics get a unique prefix and are deleted at the end.")
    String bootstrapServer;

    @Option(names = "--registry-url", paramLabel = "URL", description = "Its schema registry (Apicurio v2 API root). Without both, a local broker and registry are started and stopped.")
    String registryUrl;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "Folder for the local platform and the Streams state (default: a temporary folder, deleted at the end).")
    String runDir;

    @Option(names = "--timeout-seconds", paramLabel = "S", description = "Give up after S seconds and print what arrived (default 600).")
    String timeoutSeconds;

    @Option(names = "--paced", description = "After the unpaced rlstream run, run the rlstream side again with N rollouts of other groups sent at half of the rollouts/s it measured, one group of G at a time at evenly spaced instants: the latency at half capacity (row \"rlstream paced at R/s\").")
    boolean paced;

    @Option(names = "--rate", paramLabel = "R", description = "Pace the rlstream side at R rollouts/s instead, and skip its unpaced run (the raw Kafka side runs as always).")
    String rate;

    @Option(names = "--batch-tokens", paramLabel = "inline|reference", description = "The grouping app's batch.tokens (default inline, the processors' default): reference writes batches that carry each sample's position on rl.rollouts, and the bench's batch reader then fetches every batch's tokens from rl.rollouts (the trainer's TokenResolver) before it counts the batch as read.")
    String batchTokens;

    @Override
    int parsed(List<String> args, PrintStream out, PrintStream err) {
        return runParsed(args, out, err);
    }

    /** {@code rlstream bench processors [flags]}: see {@code --help}. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return CommandExecution.execute(new ProcessorsBenchmark(), "rlstream bench processors", args, out, err);
    }

    /** Runs the benchmark standalone: {@code java -cp ... io.rlstream.bench.ProcessorsBenchmark [flags]}. */
    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.out, System.err));
    }

    /** Runs the benchmark from command-line flags; returns the exit code. */
    static int runParsed(List<String> args, PrintStream out, PrintStream err) {
        return BenchCommand.run("processors", args, out, err, ProcessorsBenchmark::parse, settings -> {
            // Avro refuses to instantiate generated classes from packages it is not told to trust.
            System.getProperties().putIfAbsent("org.apache.avro.SERIALIZABLE_PACKAGES", "io.rlstream.events");
            APICURIO_LOGS.forEach(log -> log.setLevel(java.util.logging.Level.SEVERE));
            QUIET_KAFKA_LOGGERS.forEach(name -> System.getProperties().putIfAbsent("org.slf4j.simpleLogger.log." + name,
                    "error"));
            out.printf("rlstream bench processors: %d rollouts x %d tokens, G %d, B %d (%d groups, %d batches), "
                    + "%d to warm up, %d timed run%s per side, batch tokens %s, on %s%s%n", settings.rollouts(),
                    settings.tokens(), settings.groupSize(), settings.batchGroups(), settings.groups(), settings.batches(),
                    settings.warmupRollouts(), settings.runs(), settings.runs() == 1 ? "" : "s",
                    settings.batchTokens().name().toLowerCase(java.util.Locale.ROOT)
                            + (settings.batchTokens() == io.rlstream.events.BatchTokens.REFERENCE
                                    ? " (the batch reader resolves each batch from rl.rollouts)" : ""),
                    settings.external() ? settings.bootstrapServers() : "a local broker and registry",
                    !settings.paced() ? "" : settings.unpaced() ? "; then paced at half the rlstream rollouts/s"
                            : String.format(java.util.Locale.ROOT, "; rlstream paced at %.0f rollouts/s only",
                                    settings.rate()));
            Result result = measure(settings, out);
            out.println();
            out.print(ResultTable.format(result));
            out.flush();
            return result.complete() ? 0 : 1;
        });
    }

    /** Flags to settings; {@link IllegalArgumentException} with a message for the user on anything wrong. */
    static Settings parse(List<String> args) {
        boolean paced = args.contains(PACED_FLAG);
        args = args.stream().filter(a -> !a.equals(PACED_FLAG)).toList();
        double rate = 0;
        io.rlstream.events.BatchTokens batchTokens = io.rlstream.events.BatchTokens.INLINE;
        Settings d = Settings.defaults();
        int rollouts = d.rollouts();
        int tokens = d.tokens();
        int groupSize = d.groupSize();
        int batchGroups = d.batchGroups();
        String bootstrap = null;
        String registry = null;
        Path runDir = null;
        Integer warmup = null;
        Duration timeout = d.timeout();
        int runs = d.runs();
        for (Map.Entry<String, String> flag : BenchCommand.flags(args, VALUE_FLAGS).entrySet()) {
            String name = flag.getKey();
            String value = flag.getValue();
            switch (name) {
                case "rollouts" -> rollouts = BenchCommand.integer(name, value);
                case "tokens" -> tokens = BenchCommand.integer(name, value);
                case "group-size" -> groupSize = BenchCommand.integer(name, value);
                case "batch-groups" -> batchGroups = BenchCommand.integer(name, value);
                case "warmup-rollouts" -> warmup = BenchCommand.integer(name, value);
                case "bootstrap-server" -> bootstrap = value;
                case "registry-url" -> registry = value;
                case "run-dir" -> runDir = Path.of(value);
                case "timeout-seconds" -> timeout = Duration.ofSeconds(BenchCommand.integer(name, value));
                case "rate" -> rate = positiveNumber(name, value);
                case "runs" -> runs = BenchCommand.integer(name, value);
                case "batch-tokens" -> batchTokens = switch (value) {
                    case "inline" -> io.rlstream.events.BatchTokens.INLINE;
                    case "reference" -> io.rlstream.events.BatchTokens.REFERENCE;
                    default -> throw new IllegalArgumentException("--batch-tokens expects inline or reference, got '"
                            + value + "'");
                };
                default -> throw new IllegalStateException(name);
            }
        }
        return new Settings(rollouts, tokens, groupSize, batchGroups,
                warmup != null ? warmup : Settings.defaultWarmup(rollouts, groupSize, batchGroups), bootstrap, registry,
                runDir, timeout, paced || rate > 0, rate, batchTokens, runs);
    }

    private static double positiveNumber(String flag, String value) {
        double v;
        try {
            v = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + flag + " expects a number, got '" + value + "'");
        }
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("--" + flag + " must be a positive number of rollouts/s, got " + value);
        }
        return v;
    }


    /**
     * Runs both sides and returns their numbers; progress lines go to {@code progress}. A run that
     * does not finish before {@link Settings#timeout()} returns what arrived, with its problems.
     */
    public static Result measure(Settings settings, PrintStream progress) throws Exception {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        TopicCatalog catalog = new TopicCatalog(runPrefix(), TopicCatalog.defaults().groupPartitions());
        boolean temporary = settings.runDir() == null;
        Path work = temporary ? Files.createTempDirectory("rlstream-bench-") : settings.runDir().toAbsolutePath();
        Files.createDirectories(work);
        progress.println("run: topic prefix " + catalog.prefix() + ", folder " + work);
        LocalPlatform platform = null;
        try {
            String bootstrap;
            String registryUrl;
            if (settings.external()) {
                bootstrap = settings.bootstrapServers();
                registryUrl = settings.registryUrl();
            } else {
                platform = LocalPlatform.start(work.resolve("platform"), catalog, progress);
                bootstrap = platform.bootstrapServers();
                registryUrl = platform.registryUrl();
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                Map<String, Long> processes = platform == null ? Map.of()
                        : Map.of(ResultTable.LOCAL_BROKER, platform.broker().pid(), "local registry", platform.registry().pid());
                try {
                    return measure(settings, catalog, bootstrap, registryUrl, admin, work, processes, deadline, progress);
                } finally {
                    if (settings.external()) {
                        deleteRunTopics(admin, catalog, progress);
                    }
                }
            }
        } finally {
            if (platform != null) {
                progress.println("stopping the local broker and registry...");
                platform.close();
            }
            if (temporary) {
                deleteTree(work);
            }
        }
    }

    private static Result measure(Settings settings, TopicCatalog catalog, String bootstrap, String registryUrl,
            Admin admin, Path work, Map<String, Long> processes, long deadline, PrintStream progress) throws Exception {
        if (settings.external()) {
            TopicAdmin.createTopics(admin, catalog, (short) 1);
        }
        String rawTopic = catalog.prefix() + RAW_TOPIC_SUFFIX;
        admin.createTopics(List.of(new NewTopic(rawTopic, catalog.partitions(Topic.ROLLOUTS), (short) 1)
                .configs(Topic.ROLLOUTS.configs()))).all().get(60, TimeUnit.SECONDS);

        long t0 = System.nanoTime();
        String rollouts = catalog.name(Topic.ROLLOUTS);
        var serializer = new RegistrySerdes(registryUrl, Map.of()).serde(Rollout.class).serializer();
        // The first run's groups are 0..N/G-1, the other runs' follow, then the warm-up's: every
        // group has its own prompt. The raw side sends the first run's rollouts each time.
        Payload payload = SyntheticRollouts.serialize(0, settings.groups(), settings.groupSize(), settings.tokens(),
                serializer, rollouts);
        Payload warmup = SyntheticRollouts.serialize(settings.warmupFirstGroup(), settings.warmupGroups(),
                settings.groupSize(), settings.tokens(), serializer, rollouts);
        // Paced after an unpaced run: the same number of rollouts in groups of their own.
        Payload paced = !settings.paced() ? null : !settings.unpaced() ? payload
                : SyntheticRollouts.serialize(settings.pacedFirstGroup(), settings.groups(), settings.groupSize(),
                        settings.tokens(), serializer, rollouts);
        progress.printf("serialized %d rollouts (+ %d to warm up%s) once with the registry serializer: %.1f MB, %.0f "
                + "bytes each (%.1f s)%n", payload.size(), warmup.size(),
                paced != null && paced != payload ? ", + " + paced.size() + " for the paced run" : "",
                payload.valueBytes() / 1e6, payload.averageBytes(), (System.nanoTime() - t0) / 1e9);

        // Later runs' rollouts are serialized just before each run (untimed), so that one run's are in memory at a time.
        java.util.function.IntFunction<Payload> runPayload = run -> run == 0 ? payload
                : SyntheticRollouts.serialize(settings.runFirstGroup(run), settings.groups(), settings.groupSize(),
                        settings.tokens(), serializer, rollouts);
        // Raw Kafka run i goes right after rlstream run i (the first after its own warm-up), so that
        // each pair shares the minute of a shared machine and the state that the runs before left.
        Payload none = new Payload(List.of(), List.of(), 0);
        List<CpuMeter.Rule> idleServices = PipelineRun.serviceRules(catalog, PipelineRun.IDLE_SERVICES,
                PipelineRun.IDLE_SERVICES);
        PipelineRun.RawRuns rawRuns = run -> RawKafkaRun.measure(bootstrap, rawTopic, payload, run == 0 ? warmup : none,
                deadline, processes, idleServices, progress);
        PipelineRun.Outcomes outcomes = new PipelineRun(bootstrap, registryUrl, catalog, work.resolve("state"),
                settings, processes, progress).measure(runPayload, warmup, paced, rawRuns, deadline);
        PipelineRun.Outcome pipeline = outcomes.unpaced();
        List<String> problems = new ArrayList<>(outcomes.problems());
        if (pipeline != null) {
            problems.addAll(pipeline.problems());
        } else {
            pipeline = PipelineRun.Outcome.NONE;
        }
        Paced pacedResult = null;
        if (outcomes.paced() != null) {
            PipelineRun.PacedOutcome p = outcomes.paced();
            PipelineRun.Outcome o = p.outcome();
            o.problems().forEach(problem -> problems.add("paced: " + problem));
            pacedResult = new Paced(p.rate(), o.row(), o.batches(), o.groupsBatched(), o.distinctGroups(),
                    p.maxBehindMillis(), o.cpuSeconds());
        }
        Row raw = Row.NONE;
        Map<String, Double> rawCpu = Map.of();
        if (!outcomes.raw().isEmpty() || System.nanoTime() < deadline) {
            List<RawKafkaRun.Outcome> runs = !outcomes.raw().isEmpty() ? outcomes.raw()
                    : rawRunsAlone(settings.runs(), rawRuns, payload.size(), deadline);
            RawKafkaRun.Outcome outcome = rawMedian(runs, payload, progress);
            raw = outcome.row();
            rawCpu = outcome.cpuSeconds();
            if (raw.records() < payload.size()) {
                problems.add(String.format("raw Kafka: deadline reached with %d of %d records read", raw.records(),
                        payload.size()));
            }
        } else {
            problems.add("raw Kafka not measured: the deadline passed during the rlstream run");
        }
        return new Result(settings, raw, pipeline.row(), pipeline.batches(), pipeline.groupsBatched(),
                pipeline.distinctGroups(), pipeline.rewards(), pipeline.failedRewards(), pipeline.sentToRewarded(),
                payload.averageBytes(), BrokerFootprint.bytesByTopic(admin, catalog.prefix()), rawCpu, pipeline.cpuSeconds(),
                pacedResult, List.copyOf(problems));
    }

    /**
     * The raw runs one after another, when there were no unpaced rlstream runs to go between (a
     * fixed rate) or none delivered every group; they stop at the first that falls short (the
     * deadline).
     */
    private static List<RawKafkaRun.Outcome> rawRunsAlone(int count, PipelineRun.RawRuns rawRuns, int records,
            long deadline) throws InterruptedException {
        List<RawKafkaRun.Outcome> runs = new ArrayList<>();
        for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
            RawKafkaRun.Outcome run = rawRuns.run(i);
            runs.add(run);
            if (run.row().records() < records) {
                break;
            }
        }
        return runs;
    }

    /**
     * The run with the median records/s of the raw runs made; the first that fell short (the
     * deadline) when one did. One raw run moves N records in one to three seconds, and its rate
     * varied by 2x from one run to the next on the 2-core machine (4,543 to 10,243 records/s for the
     * same N on one day), which moved the ratio as much as any change to the pipeline did.
     */
    private static RawKafkaRun.Outcome rawMedian(List<RawKafkaRun.Outcome> runs, Payload payload,
            PrintStream progress) {
        if (runs.isEmpty()) {
            return new RawKafkaRun.Outcome(Row.NONE, Map.of()); // the deadline came first: reported as a problem
        }
        for (RawKafkaRun.Outcome run : runs) {
            if (run.row().records() < payload.size()) {
                return run; // what arrived is reported as a problem
            }
        }
        progress.println(runsLine("raw Kafka", runs.stream().map(o -> o.row().recordsPerSecond()).toList()));
        return median(runs, o -> o.row().recordsPerSecond());
    }

    /**
     * The run with the median rate; of an even number, the lower middle one (the slower of the
     * two, so that the table never shows more than half the runs beat).
     */
    static <T> T median(List<T> runs, java.util.function.ToDoubleFunction<T> rate) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs to take the median of");
        }
        List<T> byRate = runs.stream().sorted(Comparator.comparingDouble(rate)).toList();
        return byRate.get((byRate.size() - 1) / 2);
    }

    /** The progress line with every run's records/s, in the order they ran. */
    static String runsLine(String side, List<Double> recordsPerSecond) {
        return String.format(java.util.Locale.ROOT, "%s: %d run%s at %s records/s%s", side, recordsPerSecond.size(),
                recordsPerSecond.size() == 1 ? "" : "s",
                recordsPerSecond.stream().map(r -> String.format(java.util.Locale.ROOT, "%.0f", r))
                        .collect(java.util.stream.Collectors.joining(", ")),
                recordsPerSecond.size() == 1 ? "" : "; the table shows the median run");
    }

    /** {@code bench-<yyyyMMdd-HHmmss>-<4 hex>.}: unique per run, and valid in topic names and application ids. */
    static String runPrefix() {
        return "bench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000)) + ".";
    }

    /**
     * On a cluster the user named: removes the run's topics (all under its prefix) and the
     * services' consumer groups. Kafka Streams does not leave its group on close (so that a
     * restart does not rebalance), so the groups' members are removed first.
     */
    private static void deleteRunTopics(Admin admin, TopicCatalog catalog, PrintStream progress) {
        try {
            List<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(catalog.prefix())).sorted().toList();
            admin.deleteTopics(topics).all().get(60, TimeUnit.SECONDS);
            progress.println("deleted the run's " + topics.size() + " topics (prefix " + catalog.prefix() + ")");
        } catch (Exception e) {
            interruptAgainIf(e);
            progress.println("could not delete every topic under prefix " + catalog.prefix() + ": " + e);
        }
        for (String group : List.of(PipelineRun.rewardsApplicationId(catalog),
                PipelineRun.processorsApplicationId(catalog))) {
            try {
                admin.removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions()).all()
                        .get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                interruptAgainIf(e); // no members left: nothing to remove
            }
            try {
                admin.deleteConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                interruptAgainIf(e);
                progress.println("could not delete consumer group " + group + ": " + e);
            }
        }
    }

    private static void interruptAgainIf(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // best effort: a temporary folder
        }
    }
}
