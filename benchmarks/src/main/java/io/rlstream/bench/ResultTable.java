package io.rlstream.bench;

import io.rlstream.bench.ProcessorsBenchmark.Latency;
import io.rlstream.bench.ProcessorsBenchmark.Result;
import io.rlstream.bench.ProcessorsBenchmark.Row;
import java.util.Locale;
import java.util.Map;

/** The benchmark's report: the side-by-side table, then what each number means and what arrived. */
final class ResultTable {

    static final String RAW_LABEL = "raw Kafka produce+consume";
    static final String PIPELINE_LABEL = "rlstream rollouts -> batches";
    static final String RATIO_LABEL = "ratio rlstream / raw";

    private ResultTable() {
    }

    static String format(Result r) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%-30s%9s%10s%12s%9s%9s%9s%n", "", "records", "seconds", "records/s", "MB/s",
                "p50 ms", "p99 ms"));
        s.append(row(RAW_LABEL, r.raw()));
        s.append(row(PIPELINE_LABEL, r.rlstream()));
        s.append(String.format(Locale.ROOT, "%-30s%9s%10s%12s%9s%n", RATIO_LABEL, "",
                ratio(r.rlstream().seconds(), r.raw().seconds()),
                ratio(r.rlstream().recordsPerSecond(), r.raw().recordsPerSecond()),
                ratio(r.rlstream().megabytesPerSecond(), r.raw().megabytesPerSecond())));
        s.append('\n');
        ProcessorsBenchmark.Settings settings = r.settings();
        s.append(String.format(Locale.ROOT,
                "data: %d rollouts of %d response tokens, %.0f bytes each serialized (%.1f MB; MB = 10^6 bytes);%n"
                        + "      clients on both sides: acks=all, linger.ms %d, %d KiB batches, zstd%n",
                settings.rollouts(), settings.tokens(), r.rolloutBytes(), r.rolloutBytes() * settings.rollouts() / 1e6,
                BenchClients.LINGER_MS, BenchClients.BATCH_BYTES / 1024));
        s.append("latency: raw = a record's send -> its read; rlstream = the latest scored_at of a group's rewards -> "
                + "its batch record read (read_committed);\n      both under the run's full load (every rollout sent "
                + "at once), so they include the time spent queued\n");
        s.append(String.format(Locale.ROOT,
                "rlstream delivered: %d/%d batches, %d/%d groups (%d distinct), %d samples; %d rewards read (%d FAILED);%n"
                        + "      rollout sent -> rewarded: p50 %s ms, p99 %s ms%n",
                r.batches(), settings.batches(), r.groupsBatched(), settings.groups(), r.distinctGroups(),
                r.rlstream().records(), r.rewards(), r.failedRewards(), millis(r.sentToRewarded().p50Ms()),
                millis(r.sentToRewarded().p99Ms())));
        if (!r.brokerBytes().isEmpty()) {
            s.append("bytes on the broker by topic (compressed, warm-up included, run prefix left out): ").append(footprint(r.brokerBytes()))
                    .append('\n');
        }
        s.append(cpu("raw Kafka", r.raw(), r.rawCpu()));
        s.append(cpu("rlstream", r.rlstream(), r.rlstreamCpu()));
        if (!r.problems().isEmpty()) {
            s.append("INCOMPLETE: ").append(String.join("; ", r.problems())).append('\n');
        }
        return s.toString();
    }

    /** The topics that hold at least 1% of the run's bytes, largest first, then how many smaller ones. */
    static String footprint(Map<String, Long> bytesByTopic) {
        long total = bytesByTopic.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder s = new StringBuilder();
        int small = 0;
        for (Map.Entry<String, Long> e : bytesByTopic.entrySet()) {
            if (e.getValue() * 100 < total) {
                small++;
                continue;
            }
            s.append(s.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%s %.1f MB", e.getKey(), e.getValue() / 1e6));
        }
        if (small > 0) {
            s.append(String.format(Locale.ROOT, "; %d smaller topics", small));
        }
        return s.append(String.format(Locale.ROOT, " (total %.1f MB)", total / 1e6)).toString();
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
