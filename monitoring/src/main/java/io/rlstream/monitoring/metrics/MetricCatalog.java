package io.rlstream.monitoring.metrics;

import io.rlstream.monitoring.metrics.MetricName.Kind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Every metric name rlstream services write to rl.metrics, as a typed constant with its kind,
 * unit and meaning: the one catalogue docs/metrics.md ({@link #markdown()}), the dashboard and
 * the Grafana panels are read against. Services publish only these constants (a family's member
 * through {@link MetricName#withSuffix}). {@code DemoLoopIT} checks that every name a real demo
 * run writes is listed here.
 *
 * <p>The source (the writing service) follows from the name's first part, so an entry says only
 * what differs: kind, name, unit, what it is about, and one sentence.
 */
public final class MetricCatalog {

    /** The writing service of each name prefix. */
    private static final Map<String, String> SOURCES = Map.of("eval", "demo", "trainer", "trainer",
            "reward", "reward-service", "grouping", "grouping", "dispatch", "dispatcher", "selector", "dispatcher",
            "worker", "rollout-worker");
    /** In declaration order: the order of the docs table. */
    private static final List<MetricName> ENTRIES = new ArrayList<>();

    // accuracy
    public static final MetricName EVAL_ACCURACY = step("eval.accuracy", "1", "accuracy",
            "Held-out greedy accuracy of the policy version (prompts never trained on).");
    // rewards
    public static final MetricName TRAINER_REWARD_MEAN = step("trainer.reward_mean", "1", "rewards",
            "Mean reward of the samples in the step's batch.");
    public static final MetricName REWARD_SCORE_MEAN = gauge("reward.score_mean", "1", "rewards",
            "Mean score of the rollouts scored so far.");
    public static final MetricName REWARD_SCORED = total("reward.scored", "rollouts", "rewards", "Rollouts scored.");
    public static final MetricName REWARD_CORRECT = total("reward.correct", "rollouts", "rewards",
            "Rollouts the verifier found correct.");
    public static final MetricName REWARD_FAILED = total("reward.failed", "rollouts", "drops",
            "Rollouts that got a FAILED reward (tag reason: generation-failed, unknown-prompt, verifier-failed,"
                    + " unusable-rollout); never scored as zero, they are left out of the group.");
    // verifier latency
    public static final MetricName REWARD_VERIFIER_LATENCY_MS_MEAN = gauge("reward.verifier_latency_ms_mean", "ms", "verifier latency",
            "Mean verifier latency (Prometheus: the histogram `rlstream_reward_verifier_latency_seconds`).");
    public static final MetricName REWARD_VERIFIER_LATENCY_MS_MAX = gauge("reward.verifier_latency_ms_max", "ms", "verifier latency",
            "Largest verifier latency (Prometheus: the histogram `rlstream_reward_verifier_latency_seconds`).");
    /**
     * The Prometheus histogram of every verification's latency (not on rl.metrics, whose events
     * carry the mean and the max): {@code rlstream_reward_verifier_latency_seconds}.
     */
    public static final String REWARD_VERIFIER_LATENCY_HISTOGRAM = "reward.verifier_latency";
    // effective ratio and drops by reason
    public static final MetricName TRAINER_EFFECTIVE_RATIO = step("trainer.effective_ratio", "1", "effective ratio",
            "Kept over completed groups in the batch's filter stats (DAPO's effective ratio).");
    public static final MetricName GROUPING_EFFECTIVE_RATIO = gauge("grouping.effective_ratio", "1", "effective ratio",
            "Kept over completed groups since the processors started.");
    public static final MetricName GROUPING_GROUPS_COMPLETED = total("grouping.groups_completed", "groups", "drops",
            "Groups closed (complete or timed out).");
    public static final MetricName GROUPING_GROUPS_KEPT = total("grouping.groups_kept", "groups", "drops",
            "Groups kept for training.");
    public static final MetricName GROUPING_GROUPS_DROPPED = total("grouping.groups_dropped_*", "groups", "drops",
            "Groups dropped, by reason in the suffix (equal_rewards, too_few_samples, timed_out).");
    public static final MetricName GROUPING_GROUPS_TIMED_OUT = total("grouping.groups_timed_out", "groups", "drops",
            "Groups closed by the group timeout.");
    public static final MetricName GROUPING_SAMPLES_FAILED = total("grouping.samples_failed", "samples", "drops",
            "Samples left out: failed generation or verification, or never arrived.");
    public static final MetricName GROUPING_SAMPLES_STALE = total("grouping.samples_stale", "samples", "drops",
            "Samples left out as older than filter.max-staleness.");
    public static final MetricName GROUPING_SAMPLES_TRUNCATED = total("grouping.samples_truncated", "samples", "drops",
            "Samples of kept groups marked truncated (overlong filter).");
    public static final MetricName GROUPING_SAMPLES_FILTERED_PF_PPO = total("grouping.samples_filtered_pf_ppo", "samples", "drops",
            "Samples left out by PF-PPO's policy filtration.");
    public static final MetricName GROUPING_SAMPLES_DEMOTED = total("grouping.samples_demoted", "samples", "drops",
            "Samples demoted to failed because they were unusable (also dead-lettered): rewards with a non-finite score;"
                    + " rollouts too with grouping.rollouts.source=rollouts-topic (otherwise the reward service demotes"
                    + " them: reward.failed, reason unusable-rollout).");
    public static final MetricName GROUPING_DUPLICATES = total("grouping.duplicates", "records", "drops",
            "Duplicate rollouts or rewards ignored.");
    public static final MetricName GROUPING_LATE_RECORDS = total("grouping.late_records", "records", "drops",
            "Records for groups already closed.");
    public static final MetricName GROUPING_ROLLOUTS_MISSING = total("grouping.rollouts_missing", "samples", "drops",
            "Samples left out of their batch (or preference pair) because their rollout could no longer be read back "
                    + "from rl.rollouts (deleted by retention before its batch was written; keep retention.ms of "
                    + "rl.rollouts well above group.timeout.ms).");
    public static final MetricName GROUPING_GENERATION_CAP_HITS = total("grouping.generation_cap_hits", "batches",
            "drops", "Batches sent smaller than batch.groups because filter.max-generation-rounds times B groups "
                    + "completed without filling them (DAPO's max_num_gen_batches; docs/algorithms.md#group-filters).");
    public static final MetricName GROUPING_FEEDBACK_MERGED = total("grouping.feedback_merged", "rewards", "drops",
            "User-feedback rewards merged into the verifier's reward of the same rollout (group.feedback; "
                    + "docs/algorithms.md#user-feedback).");
    public static final MetricName GROUPING_DEAD_LETTERS = total("grouping.dead_letters", "records", "drops",
            "Records sent to rl.dead-letters.");
    public static final MetricName GROUPING_CHECKPOINTS_SKIPPED = total("grouping.checkpoints_skipped", "records", "drops",
            "Records on rl.checkpoints the staleness filter's version tracker could not read (tombstone, undecodable, "
                    + "another type); logged and skipped, as a global store cannot write dead letters.");
    public static final MetricName GROUPING_BATCHES = total("grouping.batches", "batches", "throughput",
            "Training batches written.");
    public static final MetricName GROUPING_PREFERENCE_PAIRS = total("grouping.preference_pairs", "pairs", "throughput",
            "Preference pairs written.");
    // staleness
    public static final MetricName TRAINER_STALENESS_MEAN = step("trainer.staleness_mean", "versions", "staleness",
            "Mean of (trainer version - behaviour version) over the batch's samples.");
    public static final MetricName TRAINER_STALENESS_MAX = step("trainer.staleness_max", "versions", "staleness",
            "Largest staleness in the batch.");
    public static final MetricName TRAINER_STALENESS_HISTOGRAM = step("trainer.staleness_*", "samples", "staleness",
            "Histogram of the batch's staleness: samples 0, 1, ..., 7 versions old, and 8plus.");
    // KL, entropy, clipping, importance weights, losses
    public static final MetricName TRAINER_KL = step("trainer.kl", "nats", "KL",
            "KL estimate to the reference policy (docs/algorithms.md).");
    public static final MetricName TRAINER_KL_COEF = step("trainer.kl_coef", "1", "KL",
            "KL coefficient (adaptive when configured).");
    public static final MetricName TRAINER_ENTROPY = step("trainer.entropy", "nats", "entropy",
            "Mean token entropy of the policy on the batch.");
    public static final MetricName TRAINER_CLIP_FRACTION = step("trainer.clip_fraction", "1", "clip fraction",
            "Tokens whose ratio was clipped.");
    public static final MetricName TRAINER_RATIO_MEAN = step("trainer.ratio_mean", "1", "importance weights",
            "Mean ratio pi_theta / pi_old.");
    public static final MetricName TRAINER_IS_WEIGHT_MEAN = step("trainer.is_weight_mean", "1", "importance weights",
            "Mean off-policy importance weight pi_prox / pi_behaviour (TIS).");
    public static final MetricName TRAINER_IS_WEIGHT_MAX = step("trainer.is_weight_max", "1", "importance weights",
            "Largest importance weight.");
    public static final MetricName TRAINER_IS_TRUNCATED_FRACTION = step("trainer.is_truncated_fraction", "1", "importance weights",
            "Tokens whose importance weight was truncated.");
    public static final MetricName TRAINER_IS_MASKED_FRACTION = step("trainer.is_masked_fraction", "1", "importance weights",
            "Tokens masked out by the importance-weight bound.");
    public static final MetricName TRAINER_LOSS = step("trainer.loss", "1", "losses", "Total loss of the step.");
    public static final MetricName TRAINER_POLICY_LOSS = step("trainer.policy_loss", "1", "losses",
            "Policy-gradient part of the loss.");
    public static final MetricName TRAINER_GRAD_NORM = step("trainer.grad_norm", "1", "losses",
            "Gradient norm before clipping.");
    public static final MetricName TRAINER_LEARNING_RATE = step("trainer.learning_rate", "1", "losses",
            "Learning rate of the step.");
    public static final MetricName TRAINER_REWARD_ACCURACY = step("trainer.reward_accuracy", "1", "losses",
            "Preference mode: share of pairs with chosen scored above rejected; group mode (LiPO-lambda): share of pairs ranked right by the implicit reward.");
    public static final MetricName TRAINER_MARGIN_MEAN = step("trainer.margin_mean", "1", "losses",
            "Preference mode: mean implicit reward margin; group mode (LiPO-lambda): mean s_i - s_j over pairs.");
    // throughput
    public static final MetricName TRAINER_SAMPLES = step("trainer.samples", "samples", "throughput",
            "Samples in the step's batch.");
    public static final MetricName TRAINER_GROUPS = step("trainer.groups", "groups", "throughput",
            "Groups in the step's batch.");
    public static final MetricName TRAINER_PAIRS = step("trainer.pairs", "pairs", "throughput",
            "Preference mode: pairs in the step; group mode (LiPO-lambda): pairs of different rewards.");
    public static final MetricName TRAINER_PROMPTS = step("trainer.prompts", "prompts", "throughput",
            "SFT mode: prompts in the step.");
    public static final MetricName TRAINER_TOKENS = step("trainer.tokens", "tokens", "throughput",
            "Tokens trained on in the step.");
    public static final MetricName TRAINER_TOKENS_PER_SECOND = step("trainer.tokens_per_second", "tokens/s", "throughput",
            "Training tokens per second.");
    public static final MetricName TRAINER_ROLLOUTS_PER_SECOND = step("trainer.rollouts_per_second", "samples/s", "throughput",
            "Samples trained per second of wall clock since the previous step.");
    public static final MetricName TRAINER_STEP_SECONDS = step("trainer.step_seconds", "s", "throughput",
            "Time of the optimizer step.");
    public static final MetricName TRAINER_IDLE_SECONDS = step("trainer.idle_seconds", "s", "throughput",
            "Time spent waiting for the batch.");
    public static final MetricName TRAINER_IDLE_FRACTION = step("trainer.idle_fraction", "1", "throughput",
            "Share of time the trainer waited, so far.");
    public static final MetricName WORKER_ROLLOUTS = gauge("worker.rollouts", "samples", "throughput",
            "Samples in the group just generated (tag worker).");
    public static final MetricName WORKER_SAMPLES_PER_SECOND = gauge("worker.samples_per_second", "samples/s", "throughput",
            "Generation speed of the group.");
    public static final MetricName WORKER_IDLE_FRACTION = gauge("worker.idle_fraction", "1", "throughput",
            "Share of time the generator waited, so far.");
    public static final MetricName WORKER_WEIGHT_SYNC_SECONDS = gauge("worker.weight_sync_seconds", "s", "throughput",
            "Time the inference server took to load the last checkpoint (openai and sglang backends; tag outcome ok or failed).");
    public static final MetricName WORKER_SERVED_VERSION = gauge("worker.served_version", "version", "lag",
            "Policy version the worker's generator serves; behind the newest checkpoint after a failed weight sync.");
    // lag
    public static final MetricName TRAINER_LAG_RECORDS = step("trainer.lag_records", "records", "lag",
            "Batch records on rl.training-batches not yet read by the trainer.");
    public static final MetricName DISPATCH_BATCHES_AHEAD = gauge("dispatch.batches_ahead", "batches", "lag",
            "Batches written that the trainer has not yet trained (or refused): its backlog.");
    public static final MetricName DISPATCH_IN_FLIGHT = gauge("dispatch.in_flight", "groups", "lag",
            "Dispatched groups not yet resolved.");
    public static final MetricName DISPATCH_POLICY_VERSION = gauge("dispatch.policy_version", "version", "lag",
            "Newest policy version the dispatcher saw.");
    public static final MetricName DISPATCH_DISPATCHED = total("dispatch.dispatched", "groups", "throughput",
            "Groups dispatched.");
    public static final MetricName DISPATCH_COMPLETED = total("dispatch.completed", "groups", "throughput",
            "Groups resolved (kept or dropped).");
    public static final MetricName DISPATCH_ACCEPTED = total("dispatch.accepted", "groups", "throughput",
            "Groups accepted into batches.");
    public static final MetricName DISPATCH_LOST = total("dispatch.lost", "groups", "drops",
            "Groups given up on after the generation timeout.");
    public static final MetricName DISPATCH_DEAD_LETTERS = total("dispatch.dead_letters", "records", "drops",
            "Records the dispatcher sent to rl.dead-letters (its inputs: rl.prompts, rl.checkpoints, rl.prompt-stats, "
                    + "rl.training-batches, rl.prompt-dispatch).");
    public static final MetricName DISPATCH_PROMPT_POOL = gauge("dispatch.prompt_pool", "prompts", "throughput",
            "Prompts the dispatcher can choose from.");
    // prompt selection
    public static final MetricName SELECTOR = gauge("selector.*", "1", "prompt selection",
            "The prompt selector's counters and V(x) errors (tag selector; stream-processors/README.md).");
    // dead letters
    public static final MetricName WORKER_DEAD_LETTERS = total("worker.dead_letters", "records", "drops",
            "Records the worker sent to rl.dead-letters.");
    public static final MetricName WORKER_WEIGHT_SYNC_FAILURES = total("worker.weight_sync_failures", "checkpoints", "drops",
            "Checkpoints the inference server failed to load (the reason is in the worker's log); it keeps serving the old version.");
    public static final MetricName WORKER_CHECKPOINTS_REJECTED = total("worker.checkpoints_rejected", "checkpoints", "drops",
            "Announcements on rl.checkpoints the worker skipped with a dead letter (folder missing, other network, truncated or missing tensors, non-finite weights, undecodable); it keeps its last good weights.");
    public static final MetricName WORKER_CHECKPOINTS_SKIPPED = total("worker.checkpoints_skipped", "checkpoints", "drops",
            "Announcements on rl.checkpoints the worker skipped without a dead letter because their folder is gone (superseded and deleted by the trainer's retention before the worker got to it); it loads a newer one. Rising steadily: workers lag behind trainer.checkpoints.keep versions.");
    public static final MetricName REWARD_DEAD_LETTERS = total("reward.dead_letters", "records", "drops",
            "Records the reward service sent to rl.dead-letters.");
    public static final MetricName TRAINER_DEAD_LETTERS = total("trainer.dead_letters", "records", "drops",
            "Records the trainer sent to rl.dead-letters.");
    public static final MetricName TRAINER_INVALID_BATCHES = total("trainer.invalid_batches", "batches", "drops",
            "Batches skipped whole because a record was invalid (token id outside the vocabulary, lengths, non-finite numbers, sizes); each record is a dead letter.");
    public static final MetricName TRAINER_ROLLOUTS_MISSING = total("trainer.rollouts_missing", "samples", "drops",
            "Samples of batches (or preference pairs) written by reference (processors batch.tokens=reference) whose rollout was no longer on rl.rollouts when the trainer resolved it; the batch is skipped whole and its records are dead letters (keep retention.ms of rl.rollouts above the trainer's lag).");
    public static final MetricName TRAINER_NON_FINITE_STEPS = total("trainer.non_finite_steps", "steps", "drops",
            "Steps undone because the gradient, the loss or a weight was non-finite; nothing published, the batch's records are dead letters.");
    public static final MetricName TRAINER_PUBLISH_REFUSED = total("trainer.publish_refused", "checkpoints", "drops",
            "Checkpoints the trainer refused to publish because a weight was non-finite.");

    private MetricCatalog() {
    }

    public static List<MetricName> entries() {
        return Collections.unmodifiableList(ENTRIES);
    }

    /** The entry a metric name belongs to: an exact name first, else the longest matching family. */
    public static Optional<MetricName> find(String metric) {
        Optional<MetricName> exact = ENTRIES.stream().filter(e -> e.name().equals(metric)).findFirst();
        if (exact.isPresent()) {
            return exact;
        }
        return ENTRIES.stream().filter(e -> e.matches(metric)).max(Comparator.comparingInt(e -> e.name().length()));
    }

    /** The catalogue as a markdown table (docs/metrics.md). */
    public static String markdown() {
        StringBuilder out = new StringBuilder("| name | source | kind | unit | about | meaning |\n|---|---|---|---|---|---|\n");
        for (MetricName e : ENTRIES) {
            out.append("| `").append(e.name()).append("` | ").append(e.source()).append(" | ")
                    .append(e.kind().name().toLowerCase(Locale.ROOT)).append(" | ").append(e.unit())
                    .append(" | ").append(e.topic()).append(" | ").append(e.meaning()).append(" |\n");
        }
        return out.toString();
    }

    /**
     * The Prometheus names that replace deprecated ones (docs/metrics.md): each running total's
     * counter ({@code RunningTotalCounters}) and the verifier latency histogram
     * ({@code LatencyHistograms}). The old names are still served for one release.
     */
    public static String prometheusMarkdown() {
        StringBuilder out = new StringBuilder("| deprecated (one release) | use instead | type |\n|---|---|---|\n");
        for (MetricName e : ENTRIES) {
            if (e.kind() == Kind.TOTAL) {
                String name = prometheus(e.name()).replace("_*", "_<reason>");
                out.append("| `").append(name).append("` (gauge) | `").append(name).append('_')
                        .append(e.unit()).append("_total` | counter |\n");
            }
        }
        String histogram = prometheus(REWARD_VERIFIER_LATENCY_HISTOGRAM) + "_seconds";
        for (MetricName e : List.of(REWARD_VERIFIER_LATENCY_MS_MEAN, REWARD_VERIFIER_LATENCY_MS_MAX)) {
            out.append("| `").append(prometheus(e.name())).append("` (gauge) | `").append(histogram)
                    .append("_bucket`, `_sum`, `_count` | histogram |\n");
        }
        return out.toString();
    }

    /** A dotted name as Prometheus serves it: {@code rlstream_} and dots as underscores. */
    private static String prometheus(String name) {
        return "rlstream_" + name.replace('.', '_');
    }

    private static MetricName step(String name, String unit, String topic, String meaning) {
        return add(name, Kind.STEP, unit, topic, meaning);
    }

    private static MetricName gauge(String name, String unit, String topic, String meaning) {
        return add(name, Kind.GAUGE, unit, topic, meaning);
    }

    private static MetricName total(String name, String unit, String topic, String meaning) {
        return add(name, Kind.TOTAL, unit, topic, meaning);
    }

    private static MetricName add(String name, Kind kind, String unit, String topic, String meaning) {
        String source = SOURCES.get(name.substring(0, name.indexOf('.')));
        if (source == null) {
            throw new IllegalStateException("no source for the prefix of " + name + "; add it to SOURCES");
        }
        MetricName entry = new MetricName(name, source, kind, unit, topic, meaning);
        ENTRIES.add(entry);
        return entry;
    }
}
