package io.rlstream.monitoring.metrics;

/**
 * A metric name from {@link MetricCatalog}, with its kind, unit and meaning. Services publish
 * only these ({@link MetricsPublisher#publish}), so a misspelt name fails to compile instead of
 * appearing on rl.metrics under a name no dashboard reads.
 *
 * @param name    dotted name, or a family ending in {@code *} (the suffix is a reason, a pool or a bucket)
 * @param source  the service that writes it (the record key on rl.metrics)
 * @param kind    how to read it
 * @param unit    unit, or "1" for counts and ratios
 * @param topic   what it is about: rewards, accuracy, effective ratio, drops, staleness, KL, ...
 * @param meaning one sentence
 */
public record MetricName(String name, String source, Kind kind, String unit, String topic, String meaning) {

    /** How to read a value. */
    public enum Kind {
        /** the latest value of something that goes up and down */
        GAUGE,
        /** a running total since the service started (observations: a retried transaction counts twice) */
        TOTAL,
        /** a value measured over one training step (step and policy_version are set) */
        STEP
    }

    public boolean isFamily() {
        return name.endsWith("*");
    }

    /** The name within its source: {@code loss} for {@code trainer.loss} (how checkpoints record step metrics). */
    public String localName() {
        return name.substring(name.indexOf('.') + 1);
    }

    /** Whether a published name is this one, or a member of this family. */
    public boolean matches(String metric) {
        return isFamily() ? metric.startsWith(name.substring(0, name.length() - 1)) : name.equals(metric);
    }

    /**
     * The member of this family for one suffix ({@code GROUPING_GROUPS_DROPPED.withSuffix("equal_rewards")}
     * is {@code grouping.groups_dropped_equal_rewards}); same kind, unit and meaning.
     */
    public MetricName withSuffix(String suffix) {
        if (!isFamily()) {
            throw new IllegalArgumentException(name + " is one metric, not a family: it takes no suffix");
        }
        if (suffix == null || suffix.isBlank() || suffix.contains("*")) {
            throw new IllegalArgumentException("a member of " + name + " needs a non-empty suffix without '*', got '"
                    + suffix + "'");
        }
        return new MetricName(name.substring(0, name.length() - 1) + suffix, source, kind, unit, topic, meaning);
    }
}
