package io.rlstream.monitoring.prometheus;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Latencies as Prometheus histograms in seconds: {@code reward.verifier_latency} is
 * {@code rlstream_reward_verifier_latency_seconds_bucket{le=...}}, {@code _sum} and {@code _count}
 * (and Micrometer's {@code _seconds_max}), so {@code histogram_quantile()} and averages over any
 * window ({@code rate(_sum) / rate(_count)}) work across restarts and replicas. The buckets are
 * fixed ({@link #BUCKETS}), the same for every service, so histograms of several processes add up.
 */
public final class LatencyHistograms {

    /** Upper bounds from 1 ms (a math check) to 60 s (a slow remote reward model or sandboxed code run). */
    public static final Duration[] BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private LatencyHistograms() {
    }

    /** The histogram {@code rlstream.<name>} of {@code source} (Prometheus: {@code rlstream_<name>_seconds}). */
    public static Timer timer(MeterRegistry registry, String name, String source, String description) {
        return Timer.builder(LatestValueGauges.PREFIX + name)
                .description(description)
                .tag("source", source)
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
    }

    /**
     * Records durations in milliseconds into {@link #timer}; with a null registry a consumer that
     * records nothing (services run without Prometheus in most tests).
     */
    public static LongConsumer millis(MeterRegistry registry, String name, String source, String description) {
        if (registry == null) {
            return ms -> { };
        }
        Timer timer = timer(registry, name, source, description);
        return ms -> timer.record(ms, TimeUnit.MILLISECONDS);
    }
}
