package io.rlstream.monitoring.dashboard;

import java.util.Optional;

/**
 * The per-step series the dashboard charts, and where each comes from: its key in a
 * {@code StepSummary} of rl.step-summary (the metric name on rl.metrics), and its key in the
 * metrics map of a {@code CheckpointPublished} on rl.checkpoints (the trainer's step metrics
 * without the {@code trainer.} prefix), the fallback when no step-summary app runs.
 */
public enum Series {
    ACCURACY("accuracy", "Held-out accuracy", "eval.accuracy", null),
    REWARD("reward", "Reward (batch mean)", "trainer.reward_mean", "reward_mean"),
    EFFECTIVE_RATIO("effective_ratio", "Effective ratio", "trainer.effective_ratio", "effective_ratio"),
    STALENESS("staleness", "Staleness (mean versions)", "trainer.staleness_mean", "staleness_mean"),
    THROUGHPUT("throughput", "Throughput (rollouts/s)", "trainer.rollouts_per_second", "rollouts_per_second"),
    TOKENS_PER_SECOND("tokens_per_second", "Trainer tokens/s", "trainer.tokens_per_second", "tokens_per_second"),
    KL("kl", "KL to reference", "trainer.kl", "kl"),
    LOSS("loss", "Loss", "trainer.loss", "loss"),
    ENTROPY("entropy", "Entropy", "trainer.entropy", "entropy"),
    CLIP_FRACTION("clip_fraction", "Clip fraction", "trainer.clip_fraction", "clip_fraction");

    private final String id;
    private final String title;
    private final String metricName;
    private final String checkpointKey;

    Series(String id, String title, String metricName, String checkpointKey) {
        this.id = id;
        this.title = title;
        this.metricName = metricName;
        this.checkpointKey = checkpointKey;
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
