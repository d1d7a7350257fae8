package io.rlstream.monitoring.dashboard;

import io.rlstream.monitoring.metrics.MetricCatalog;
import io.rlstream.monitoring.metrics.MetricName;
import java.util.Optional;

/**
 * The per-step series the dashboard charts, and where each comes from: its key in a
 * {@code StepSummary} of rl.step-summary (the metric name on rl.metrics), and its key in the
 * metrics map of a {@code CheckpointPublished} on rl.checkpoints (the trainer's step metrics
 * without the {@code trainer.} prefix), the fallback when no step-summary app runs.
 */
public enum Series {
    ACCURACY("accuracy", "Held-out accuracy", MetricCatalog.EVAL_ACCURACY),
    REWARD("reward", "Reward (batch mean)", MetricCatalog.TRAINER_REWARD_MEAN),
    EFFECTIVE_RATIO("effective_ratio", "Effective ratio", MetricCatalog.TRAINER_EFFECTIVE_RATIO),
    STALENESS("staleness", "Staleness (mean versions)", MetricCatalog.TRAINER_STALENESS_MEAN),
    THROUGHPUT("throughput", "Throughput (rollouts/s)", MetricCatalog.TRAINER_ROLLOUTS_PER_SECOND),
    TOKENS_PER_SECOND("tokens_per_second", "Trainer tokens/s", MetricCatalog.TRAINER_TOKENS_PER_SECOND),
    KL("kl", "KL to reference", MetricCatalog.TRAINER_KL),
    LOSS("loss", "Loss", MetricCatalog.TRAINER_LOSS),
    ENTROPY("entropy", "Entropy", MetricCatalog.TRAINER_ENTROPY),
    CLIP_FRACTION("clip_fraction", "Clip fraction", MetricCatalog.TRAINER_CLIP_FRACTION);

    private final String id;
    private final String title;
    private final String metricName;
    private final String checkpointKey;

    Series(String id, String title, MetricName metric) {
        this.id = id;
        this.title = title;
        this.metricName = metric.name();
        // checkpoints carry the trainer's step metrics only, by their name within the trainer
        this.checkpointKey = metric.source().equals(MetricCatalog.TRAINER_LOSS.source()) ? metric.localName() : null;
    }

    /** Name of the series in the JSON API and the page. */
    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    /** The metric name on rl.metrics, which is also its (untagged) key in a StepSummary. */
    public String metricName() {
        return metricName;
    }

    /** Its key in CheckpointPublished.metrics, empty when checkpoints do not carry it (accuracy). */
    public Optional<String> checkpointKey() {
        return Optional.ofNullable(checkpointKey);
    }

    /** The series a metric name on rl.metrics feeds, if any. */
    public static Optional<Series> ofMetric(String name) {
        for (Series s : values()) {
            if (s.metricName.equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
