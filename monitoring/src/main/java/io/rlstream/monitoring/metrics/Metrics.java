package io.rlstream.monitoring.metrics;

import io.rlstream.events.Metric;
import java.time.Instant;
import java.util.Map;

/** Factory of {@link Metric} events, so every service names and stamps them the same way. */
public final class Metrics {

    private Metrics() {
    }

    public static Metric of(String source, MetricName name, double value, long step, long policyVersion,
            Map<String, String> tags) {
        return Metric.newBuilder()
                .setSource(source)
                .setName(name.name())
                .setValue(value)
                .setStep(step)
                .setPolicyVersion(policyVersion)
                .setTags(Map.copyOf(tags))
                .setTime(Instant.now())
                .build();
    }

    public static Metric of(String source, MetricName name, double value) {
        return of(source, name, value, -1, -1, Map.of());
    }
}
