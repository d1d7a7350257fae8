package io.rlstream.bench;

import io.rlstream.bench.ProcessorsBenchmark.Latency;
import io.rlstream.bench.ProcessorsBenchmark.Paced;
import io.rlstream.bench.ProcessorsBenchmark.Result;
import io.rlstream.bench.ProcessorsBenchmark.Row;
import io.rlstream.schemas.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The benchmark's report: the side-by-side table, then what each number means and what arrived. */
final class ResultTable {

    static final String RAW_LABEL = "raw Kafka produce+consume";
    static final String PIPELINE_LABEL = "rlstream rollouts -> batches";
    static final String RATIO_LABEL = "ratio rlstream / raw";
    /** The rollouts topic's name without the run prefix, as {@link BrokerFootprint} gives it. */
    static final String ROLLOUTS_TOPIC = Topic.ROLLOUTS.suffix();
    /** The local broker's part in {@link CpuMeter}'s readings (ProcessorsBenchmark names the child process so). */
    static final String LOCAL_BROKER = "local broker";

    private ResultTable() {
    }

    static String format(Result r) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%-30s%9s%10s%12s%9s%9s%9s%n", "", "records", "seconds", "records/s", "MB/s",
                "p50 ms", "p99 ms"));
        ProcessorsBenchmark.Settings settings = r.settings();
        s.append(row(RAW_LABEL, r.raw()));
        if (settings.unpaced()) {
            s.append(row(PIPELINE_LABEL, r.rlstream()));
            s.append(String.format(Locale.ROOT, "%-30s%9s%10s%12s%9s%n", RATIO_LABEL, "",
                    ratio(r.rlstream().seconds(), r.raw().seconds()),
                    ratio(r.rlstream().recordsPerSecond(), r.raw().recordsPerSecond()),
                    ratio(r.rlstream().megabytesPerSecond(), r.raw().megabytesPerSecond())));
        }
        Paced paced = r.paced();
        if (paced != null) {
            s.append(row(pacedLabel(paced.rate()), paced.row()));
        }
        s.append('\n');
        s.append(String.format(Locale.ROOT,
                "data: %d rollouts of %d response tokens, %.0f bytes each serialized (%.1f MB; MB = 10^6 bytes);%n"
                        + "      clients on both sides: acks=all, linger.ms %d, %d KiB batches, zstd%s%n",
                settings.rollouts(), settings.tokens(), r.rolloutBytes(), r.rolloutBytes() * settings.rollouts() / 1e6,
                BenchClients.LINGER_MS, BenchClients.BATCH_BYTES / 1024, settings.runs() == 1 ? ""
                        : "; each side's row: its median of " + settings.runs() + " timed runs (all above the table)"));
        s.append("latency: raw = a record's send -> its read; rlstream = the latest scored_at of a group's rewards -> "
                + "its batch record read (read_committed);\n      both under the run's full load (every rollout sent "
                + "at once), so they include the time spent queued" + (paced != null ? "; paced: the same latency with "
                + "the rollouts sent at the pace below" : "") + "\n");
        if (settings.unpaced()) {
            s.append(String.format(Locale.ROOT,
                    "rlstream delivered%s: %d/%d batches, %d/%d groups (%d distinct), %d samples; %d rewards read (%d FAILED);%n"
                            + "      rollout sent -> rewarded: p50 %s ms, p99 %s ms%n",
                    settings.runs() == 1 ? "" : " (the run in the table; each run is checked alike)",
                    r.batches(), settings.batches(), r.groupsBatched(), settings.groups(), r.distinctGroups(),
                    r.rlstream().records(), r.rewards(), r.failedRewards(), millis(r.sentToRewarded().p50Ms()),
                    millis(r.sentToRewarded().p99Ms())));
        }
        if (paced != null) {
            s.append(String.format(Locale.ROOT,
                    "rlstream paced: a group of %d every %.1f ms (%.0f rollouts/s, %s), sent at most %.0f ms behind "
                            + "schedule;%n      delivered %d/%d batches, %d/%d groups (%d distinct), %d samples; "
                            + "goal at half capacity: p99 < 1000 ms%n",
                    settings.groupSize(), PayloadSender.groupStartNanos(1, settings.groupSize(), paced.rate()) / 1e6,
                    paced.rate(), !settings.unpaced() ? "the rate given"
                            : settings.runs() == 1 ? "half of the unpaced run's" : "half of the median unpaced run's",
                    paced.maxBehindMillis(), paced.batches(), settings.batches(), paced.groupsBatched(),
                    settings.groups(), paced.distinctGroups(), paced.row().records()));
        }
        if (!r.brokerBytes().isEmpty()) {
            s.append(bytesPerRolloutByte(r.brokerBytes(), ROLLOUTS_TOPIC, ProcessorsBenchmark.RAW_TOPIC_SUFFIX));
        }
        s.append(cpu("raw Kafka", r.raw(), r.rawCpu()));
        if (settings.unpaced()) {
            s.append(cpu("rlstream", r.rlstream(), r.rlstreamCpu()));
        }
        if (paced != null) {
            s.append(cpu(pacedLabel(paced.rate()), paced.row(), paced.cpu()));
        }
        s.append(cpuPerThousandRollouts("rlstream", r.rlstream().records(), r.rlstreamCpu()));
        if (settings.unpaced()) {
            s.append(cpuOutsideTheJit(r.raw().records(), r.rawCpu(), r.rlstream().records(), r.rlstreamCpu()));
        }
        if (paced != null) {
            s.append(cpuPerThousandRollouts(pacedLabel(paced.rate()), paced.row().records(), paced.cpu()));
        }
        if (!r.problems().isEmpty()) {
            s.append("INCOMPLETE: ").append(String.join("; ", r.problems())).append('\n');
        }
        return s.toString();
    }

    /**
     * Bytes each topic of the run holds on the broker per byte of the rollouts topic, largest
     * first: how many times the pipeline writes what a worker sends. Topics under 1% of the
     * rollouts topic are summed in one row; the total is over every topic but {@code leftOut}
     * (the raw side's), so the rollouts topic itself counts 1.0. Both sides of each ratio include
     * the warm-up (and the paced run), as the broker cannot tell them apart.
     *
     * @param bytesByTopic topic (run prefix left out) to bytes on the broker, largest first
     */
    static String bytesPerRolloutByte(Map<String, Long> bytesByTopic, String rolloutsTopic, String leftOut) {
        long rollouts = bytesByTopic.getOrDefault(rolloutsTopic, 0L);
        List<Map.Entry<String, Long>> shown = new ArrayList<>();
        long smallBytes = 0;
        int small = 0;
        long total = 0;
        for (Map.Entry<String, Long> e : bytesByTopic.entrySet()) {
            if (e.getKey().equals(leftOut)) {
                continue;
            }
            total += e.getValue();
            if (e.getValue() * 100 < rollouts) {
                small++;
                smallBytes += e.getValue();
            } else {
                shown.add(e);
            }
        }
        String smaller = small + " smaller topic" + (small == 1 ? "" : "s");
        String totalLabel = "total of the pipeline's topics";
        int width = Math.max(totalLabel.length(), smaller.length());
        for (Map.Entry<String, Long> e : shown) {
            width = Math.max(width, e.getKey().length());
        }
        String line = "  %-" + width + "s%10s%20s%n";
        StringBuilder s = new StringBuilder(
                "bytes on the broker per rollout byte (compressed; warm-up included; run prefix left out):\n");
        s.append(String.format(Locale.ROOT, line, "topic", "MB", "per rollout byte"));
        for (Map.Entry<String, Long> e : shown) {
            s.append(String.format(Locale.ROOT, line, e.getKey(), megabytes(e.getValue()), perByte(e.getValue(), rollouts)));
        }
        if (small > 0) {
            s.append(String.format(Locale.ROOT, line, smaller, megabytes(smallBytes), perByte(smallBytes, rollouts)));
        }
        s.append(String.format(Locale.ROOT, line, totalLabel, megabytes(total), perByte(total, rollouts)));
        Long raw = bytesByTopic.get(leftOut);
        if (raw != null) {
            s.append(String.format(Locale.ROOT, "  (not in the total: %s, the raw Kafka side's topic, %s MB)%n", leftOut,
                    megabytes(raw)));
        }
        return s.toString();
    }

    /**
     * CPU-seconds per 1,000 rollouts of the grouping app, the reward service and the local
     * broker during one rlstream run: each part's CPU-seconds / (rollouts / 1000). Empty when
     * nothing arrived or none of them was measured.
     */
    static String cpuPerThousandRollouts(String side, long rollouts, Map<String, Double> seconds) {
        if (rollouts <= 0) {
            return "";
        }
        StringBuilder parts = new StringBuilder();
        for (String part : List.of(PipelineRun.GROUPING_APP, PipelineRun.REWARD_SERVICE, LOCAL_BROKER)) {
            Double cpu = seconds.get(part);
            if (cpu != null) {
                parts.append(parts.isEmpty() ? "" : ", ")
                        .append(String.format(Locale.ROOT, "%s %.2f", part, perThousand(cpu, rollouts)));
            }
        }
        return parts.isEmpty() ? "" : String.format(Locale.ROOT, "CPU-seconds per 1,000 rollouts during %s: %s%n", side,
                parts);
    }

    /**
     * CPU-seconds per 1,000 rollouts of each side, everything measured but the JIT compiler's
     * threads, and raw's over rlstream's: what each side's own work costs per rollout. On a
     * machine whose cores both runs keep busy, the records/s ratio follows it at the defaults (the
     * compiler takes about the same share of both runs) and falls below it in long runs, where the
     * compiler still works on rlstream's code but long since finished the raw clients'
     * (docs/benchmarks.md, issue 18's eighth look). The rlstream services' threads in a raw run
     * (idle between their runs) are not raw Kafka's work and are left out of it too. Empty when a
     * side has no reading or no records.
     */
    static String cpuOutsideTheJit(long rawRecords, Map<String, Double> rawCpu, long rlstreamRecords,
            Map<String, Double> rlstreamCpu) {
        if (rawRecords <= 0 || rlstreamRecords <= 0 || rawCpu.isEmpty() || rlstreamCpu.isEmpty()) {
            return "";
        }
        double raw = perThousand(secondsOutsideTheJit(rawCpu), rawRecords);
        double rlstream = perThousand(secondsOutsideTheJit(rlstreamCpu), rlstreamRecords);
        return String.format(Locale.ROOT,
                "CPU-seconds per 1,000 rollouts, JIT compiler left out: raw Kafka %.3f, rlstream %.3f; raw / rlstream %s%n",
                raw, rlstream, ratio(raw, rlstream));
    }

    private static double perThousand(double seconds, long rollouts) {
        return seconds / (rollouts / 1000.0);
    }

    /** A side's CPU seconds but the JIT compiler's, and the rlstream services' while idle in a raw run. */
    private static double secondsOutsideTheJit(Map<String, Double> seconds) {
        return seconds.entrySet().stream()
                .filter(e -> !e.getKey().equals(CpuMeter.JIT) && !e.getKey().equals(PipelineRun.IDLE_SERVICES))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    static String pacedLabel(double rate) {
        return String.format(Locale.ROOT, "rlstream paced at %.0f/s", rate);
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1e6);
    }

    private static String perByte(long bytes, long rolloutBytes) {
        return rolloutBytes > 0 ? String.format(Locale.ROOT, "%.2f", (double) bytes / rolloutBytes) : "-";
    }

    /** One line: CPU seconds per part during a side's run, against what the machine's cores could give. */
    static String cpu(String side, Row row, Map<String, Double> seconds) {
        if (seconds.isEmpty()) {
            return "";
        }
        int cores = Runtime.getRuntime().availableProcessors();
        double total = seconds.values().stream().mapToDouble(Double::doubleValue).sum();
        return String.format(Locale.ROOT, "CPU seconds during %s (%.1f s on %d cores = %.1f available), %.1f used: %s%n", side,
                row.seconds(), cores, row.seconds() * cores, total, seconds.entrySet().stream()
                        .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue()))
                        .collect(java.util.stream.Collectors.joining(", ")));
    }

    private static String row(String label, Row row) {
        Latency l = row.latency();
        return String.format(Locale.ROOT, "%-30s%9d%10.2f%12.0f%9.2f%9s%9s%n", label, row.records(), row.seconds(),
                row.recordsPerSecond(), row.megabytesPerSecond(), millis(l.p50Ms()), millis(l.p99Ms()));
    }

    private static String ratio(double a, double b) {
        return b > 0 && Double.isFinite(a / b) ? String.format(Locale.ROOT, "%.2f", a / b) : "-";
    }

    private static String millis(double ms) {
        return Double.isNaN(ms) ? "-" : String.format(Locale.ROOT, "%.0f", ms);
    }
}
