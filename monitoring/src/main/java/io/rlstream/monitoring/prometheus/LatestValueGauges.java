package io.rlstream.monitoring.prometheus;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Prometheus view of the Metric events a service publishes: one gauge per name and tag set
 * holding the latest value, named {@code rlstream.<name>} (Prometheus: {@code rlstream_trainer_loss})
 * and tagged {@code source} plus the metric's own tags. The gauges of running totals
 * (reward.scored, grouping.groups_completed, dispatch.dispatched) are deprecated and kept for one
 * release: their counters ({@link RunningTotalCounters}, {@code rlstream_reward_scored_rollouts_total})
 * take {@code rate()}.
 */
public final class LatestValueGauges {

    public static final String PREFIX = "rlstream.";

    private final MeterRegistry registry;
    private final String source;
    private final Map<String, double[]> latest = new ConcurrentHashMap<>();

    public LatestValueGauges(MeterRegistry registry, String source) {
        this.registry = registry;
        this.source = source;
    }

    public void record(String name, double value, Map<String, String> tags) {
        Map<String, String> sorted = new TreeMap<>(tags);
        sorted.remove("source");
        String key = name + sorted;
        latest.computeIfAbsent(key, k -> register(name, sorted))[0] = value;
    }

    private double[] register(String name, Map<String, String> tags) {
        double[] holder = {Double.NaN};
        List<Tag> all = new ArrayList<>();
        all.add(Tag.of("source", source));
        tags.forEach((k, v) -> all.add(Tag.of(k, v)));
        // The map keeps the holder alive; strongReference too, so the gauge never reads a collected one.
        Gauge.builder(PREFIX + name, holder, h -> h[0]).tags(all).strongReference(true).register(registry);
        return holder;
    }
}
