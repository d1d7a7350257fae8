package io.rlstream.monitoring.metrics;

import java.util.List;
import java.util.Optional;

/**
 * Every metric name rlstream services write to rl.metrics, with its kind, unit and meaning: the
 * one catalogue the README table, the dashboard and the Grafana panels are read against. A name
 * ending in {@code *} is a family (the suffix is a reason, a pool or a bucket). {@code DemoLoopIT}
 * checks that every name a real demo run writes is listed here.
 */
public final class MetricCatalog {

    /** How to read a value. */
    public enum Kind {
        /** the latest value of something that goes up and down */
        GAUGE,
        /** a running total since the service started (observations: a retried transaction counts twice) */
        TOTAL,
        /** a value measured over one training step (step and policy_version are set) */
        STEP
    }

    /**
     * One catalogued name.
     *
     * @param name     dotted name, or a family ending in {@code *}
     * @param source   the service that writes it (the record key)
     * @param kind     how to read it
     * @param unit     unit, or "1" for counts and ratios
     * @param topic    what it is about: rewards, accuracy, effective ratio, drops, staleness, KL, ...
     * @param meaning  one sentence
     */
    public record Entry(String name, String source, Kind kind, String unit, String topic, String meaning) {

        public boolean matches(String metric) {
            return name.endsWith("*") ? metric.startsWith(name.substring(0, name.length() - 1)) : name.equals(metric);
        }
    }

    private static final List<Entry> ENTRIES = List.of(
            // accuracy
            step("eval.accuracy", "demo", "1", "accuracy",
                    "Held-out greedy accuracy of the policy version (prompts never trained on)."),
            // rewards
            step("trainer.reward_mean", "trainer", "1", "rewards", "Mean reward of the samples in the step's batch."),
            gauge("reward.score_mean", "reward-service", "1", "rewards", "Mean score of the rollouts scored so far."),
            total("reward.scored", "reward-service", "rollouts", "rewards", "Rollouts scored."),
            total("reward.correct", "reward-service", "rollouts", "rewards", "Rollouts the verifier found correct."),
            total("reward.failed", "reward-service", "rollouts", "drops",
                    "Verifications that failed (tag reason); never scored as zero, they are left out of the group."),
            // verifier latency
            gauge("reward.verifier_latency_ms_mean", "reward-service", "ms", "verifier latency", "Mean verifier latency."),
            gauge("reward.verifier_latency_ms_max", "reward-service", "ms", "verifier latency", "Largest verifier latency."),
            // effective ratio and drops by reason
            step("trainer.effective_ratio", "trainer", "1", "effective ratio",
                    "Kept over completed groups in the batch's filter stats (DAPO's effective ratio)."),
            gauge("grouping.effective_ratio", "grouping", "1", "effective ratio",
                    "Kept over completed groups since the processors started."),
            total("grouping.groups_completed", "grouping", "groups", "drops", "Groups closed (complete or timed out)."),
            total("grouping.groups_kept", "grouping", "groups", "drops", "Groups kept for training."),
            total("grouping.groups_dropped_*", "grouping", "groups", "drops",
                    "Groups dropped, by reason in the suffix (equal_rewards, too_few_samples, timed_out)."),
            total("grouping.groups_timed_out", "grouping", "groups", "drops", "Groups closed by the group timeout."),
            total("grouping.samples_failed", "grouping", "samples", "drops",
                    "Samples left out: failed generation or verification, or never arrived."),
            total("grouping.samples_stale", "grouping", "samples", "drops",
                    "Samples left out as older than filter.max-staleness."),
            total("grouping.samples_truncated", "grouping", "samples", "drops",
                    "Samples of kept groups marked truncated (overlong filter)."),
            total("grouping.samples_filtered_pf_ppo", "grouping", "samples", "drops",
                    "Samples left out by PF-PPO's policy filtration."),
            total("grouping.samples_demoted", "grouping", "samples", "drops",
                    "Rollouts or rewards demoted to failed because they were unusable (also dead-lettered)."),
            total("grouping.duplicates", "grouping", "records", "drops", "Duplicate rollouts or rewards ignored."),
            total("grouping.late_records", "grouping", "records", "drops", "Records for groups already closed."),
            total("grouping.dead_letters", "grouping", "records", "drops", "Records sent to rl.dead-letters."),
            total("grouping.batches", "grouping", "batches", "throughput", "Training batches written."),
            total("grouping.preference_pairs", "grouping", "pairs", "throughput", "Preference pairs written."),
            // staleness
            step("trainer.staleness_mean", "trainer", "versions", "staleness",
                    "Mean of (trainer version - behaviour version) over the batch's samples."),
            step("trainer.staleness_max", "trainer", "versions", "staleness", "Largest staleness in the batch."),
            step("trainer.staleness_*", "trainer", "samples", "staleness",
                    "Histogram of the batch's staleness: samples 0, 1, ..., 7 versions old, and 8plus."),
            // KL, entropy, clipping, importance weights, losses
            step("trainer.kl", "trainer", "nats", "KL", "KL estimate to the reference policy (ALGORITHMS.md)."),
            step("trainer.kl_coef", "trainer", "1", "KL", "KL coefficient (adaptive when configured)."),
            step("trainer.entropy", "trainer", "nats", "entropy", "Mean token entropy of the policy on the batch."),
            step("trainer.clip_fraction", "trainer", "1", "clip fraction", "Tokens whose ratio was clipped."),
            step("trainer.ratio_mean", "trainer", "1", "importance weights", "Mean ratio pi_theta / pi_old."),
            step("trainer.is_weight_mean", "trainer", "1", "importance weights",
                    "Mean off-policy importance weight pi_prox / pi_behaviour (TIS)."),
            step("trainer.is_weight_max", "trainer", "1", "importance weights", "Largest importance weight."),
            step("trainer.is_truncated_fraction", "trainer", "1", "importance weights",
                    "Tokens whose importance weight was truncated."),
            step("trainer.is_masked_fraction", "trainer", "1", "importance weights",
                    "Tokens masked out by the importance-weight bound."),
            step("trainer.loss", "trainer", "1", "losses", "Total loss of the step."),
            step("trainer.policy_loss", "trainer", "1", "losses", "Policy-gradient part of the loss."),
            step("trainer.grad_norm", "trainer", "1", "losses", "Gradient norm before clipping."),
            step("trainer.learning_rate", "trainer", "1", "losses", "Learning rate of the step."),
            step("trainer.reward_accuracy", "trainer", "1", "losses", "Preference mode: chosen scored above rejected."),
            step("trainer.margin_mean", "trainer", "1", "losses", "Preference mode: mean reward margin."),
            // throughput
            step("trainer.samples", "trainer", "samples", "throughput", "Samples in the step's batch."),
            step("trainer.groups", "trainer", "groups", "throughput", "Groups in the step's batch."),
            step("trainer.pairs", "trainer", "pairs", "throughput", "Preference mode: pairs in the step."),
            step("trainer.prompts", "trainer", "prompts", "throughput", "SFT mode: prompts in the step."),
            step("trainer.tokens", "trainer", "tokens", "throughput", "Tokens trained on in the step."),
            step("trainer.tokens_per_second", "trainer", "tokens/s", "throughput", "Training tokens per second."),
            step("trainer.rollouts_per_second", "trainer", "samples/s", "throughput",
                    "Samples trained per second of wall clock since the previous step."),
            step("trainer.step_seconds", "trainer", "s", "throughput", "Time of the optimizer step."),
            step("trainer.idle_seconds", "trainer", "s", "throughput", "Time spent waiting for the batch."),
            step("trainer.idle_fraction", "trainer", "1", "throughput", "Share of time the trainer waited, so far."),
            gauge("worker.rollouts", "rollout-worker", "samples", "throughput", "Samples in the group just generated (tag worker)."),
            gauge("worker.samples_per_second", "rollout-worker", "samples/s", "throughput", "Generation speed of the group."),
            gauge("worker.idle_fraction", "rollout-worker", "1", "throughput", "Share of time the generator waited, so far."),
            // lag
            step("trainer.lag_records", "trainer", "records", "lag",
                    "Batch records on rl.training-batches not yet read by the trainer."),
            gauge("dispatch.batches_ahead", "dispatcher", "batches", "lag",
                    "Batches written ahead of the newest policy version."),
            gauge("dispatch.in_flight", "dispatcher", "groups", "lag", "Dispatched groups not yet resolved."),
            gauge("dispatch.policy_version", "dispatcher", "version", "lag", "Newest policy version the dispatcher saw."),
            total("dispatch.dispatched", "dispatcher", "groups", "throughput", "Groups dispatched."),
            total("dispatch.completed", "dispatcher", "groups", "throughput", "Groups resolved (kept or dropped)."),
            total("dispatch.accepted", "dispatcher", "groups", "throughput", "Groups accepted into batches."),
            total("dispatch.lost", "dispatcher", "groups", "drops", "Groups given up on after the generation timeout."),
            gauge("dispatch.prompt_pool", "dispatcher", "prompts", "throughput", "Prompts the dispatcher can choose from."),
            // prompt selection
            gauge("selector.*", "dispatcher", "1", "prompt selection",
                    "The prompt selector's counters and V(x) errors (tag selector; stream-processors/README.md)."),
            // dead letters
            total("worker.dead_letters", "rollout-worker", "records", "drops", "Records the worker sent to rl.dead-letters."),
            total("reward.dead_letters", "reward-service", "records", "drops", "Records the reward service sent to rl.dead-letters."),
            total("trainer.dead_letters", "trainer", "records", "drops", "Records the trainer sent to rl.dead-letters."));

    private MetricCatalog() {
    }

    public static List<Entry> entries() {
        return ENTRIES;
    }

    /** The entry a metric name belongs to: an exact name first, else the longest matching family. */
    public static Optional<Entry> find(String metric) {
        Optional<Entry> exact = ENTRIES.stream().filter(e -> e.name().equals(metric)).findFirst();
        if (exact.isPresent()) {
            return exact;
        }
        return ENTRIES.stream().filter(e -> e.matches(metric))
                .max(java.util.Comparator.comparingInt(e -> e.name().length()));
    }

    /** The catalogue as the README's markdown table. */
    public static String markdown() {
        StringBuilder out = new StringBuilder("| name | source | kind | unit | about | meaning |\n|---|---|---|---|---|---|\n");
        for (Entry e : ENTRIES) {
            out.append("| `").append(e.name()).append("` | ").append(e.source()).append(" | ")
                    .append(e.kind().name().toLowerCase(java.util.Locale.ROOT)).append(" | ").append(e.unit())
                    .append(" | ").append(e.topic()).append(" | ").append(e.meaning()).append(" |\n");
        }
        return out.toString();
    }

    private static Entry step(String name, String source, String unit, String topic, String meaning) {
        return new Entry(name, source, Kind.STEP, unit, topic, meaning);
    }

    private static Entry gauge(String name, String source, String unit, String topic, String meaning) {
        return new Entry(name, source, Kind.GAUGE, unit, topic, meaning);
    }

    private static Entry total(String name, String source, String unit, String topic, String meaning) {
        return new Entry(name, source, Kind.TOTAL, unit, topic, meaning);
    }
}
