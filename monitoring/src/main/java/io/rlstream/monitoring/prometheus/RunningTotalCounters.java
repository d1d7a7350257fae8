package io.rlstream.monitoring.prometheus;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The running totals a service publishes (reward.scored, dispatch.dispatched, ...) as Prometheus
 * counters, so {@code rate()} and {@code increase()} work on them: {@code reward.scored} (unit
 * rollouts) is {@code rlstream_reward_scored_rollouts_total}, tagged like its gauge. The unit sits
 * between the name and {@code _total} because the deprecated gauge {@code rlstream_reward_scored}
 * keeps its name for one release, and OpenMetrics serves a counter under its name without
 * {@code _total}: the two would be one family of two types (Prometheus' naming guide puts the unit
 * there anyway: {@code process_cpu_seconds_total}).
 *
 * <p>A counter never goes down within a process: it holds the largest total published, so a total
 * that a retried transaction reports lower does not read as a counter reset. A restarted service
 * starts its counter from the total its store restores, which {@code rate()} handles like any
 * counter that starts above zero.
 */
public final class RunningTotalCounters {

    private final MeterRegistry registry;
    private final String source;
    private final Map<String, double[]> totals = new ConcurrentHashMap<>();

    public RunningTotalCounters(MeterRegistry registry, String source) {
        this.registry = registry;
        this.source = source;
    }

    /** The Micrometer name of a total's counter: {@code rlstream.<name>.<unit>}; Prometheus adds {@code _total}. */
    public static String counterName(String name, String unit) {
        return LatestValueGauges.PREFIX + name + "." + unit;
    }

    /** Records the latest value of the running total {@code name} (counted in {@code unit}). */
    public void record(String name, String unit, String description, double total, Map<String, String> tags) {
        Map<String, String> sorted = new TreeMap<>(tags);
        sorted.remove("source");
        double[] holder = totals.computeIfAbsent(name + sorted, k -> register(name, unit, description, sorted));
        synchronized (holder) {
            if (total > holder[0]) {
                holder[0] = total;
            }
        }
    }

    private double[] register(String name, String unit, String description, Map<String, String> tags) {
        double[] holder = {0};
        List<Tag> all = new ArrayList<>();
        all.add(Tag.of("source", source));
        tags.forEach((k, v) -> all.add(Tag.of(k, v)));
        FunctionCounter.builder(counterName(name, unit), holder, h -> {
            synchronized (h) {
                return h[0];
            }
        }).description(description).tags(all).register(registry);
        return holder;
    }
}
