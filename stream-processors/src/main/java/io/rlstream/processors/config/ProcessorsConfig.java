package io.rlstream.processors.config;

import io.rlstream.config.ServiceConfig;
import io.rlstream.processors.advantage.AdvantageEstimator;
import io.rlstream.processors.advantage.AdvantageEstimators;
import io.rlstream.processors.advantage.AdvantageOptions;
import io.rlstream.processors.filtration.BatchReweightings;
import io.rlstream.processors.filtration.PolicyFiltrations;
import io.rlstream.schemas.TopicCatalog;
import java.util.ArrayList;
import java.util.List;
import io.rlstream.processors.advantage.Grpo;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Settings of the stream processors (the grouping app and the dispatcher), on top of the shared
 * keys of {@link ServiceConfig}. Declared once here; the README table is {@link #docs()}.
 * {@code GroupingSettings.from} and {@code DispatchSettings.from} turn them into what each part needs.
 */
public final class ProcessorsConfig extends ServiceConfig {

    public static final String APPLICATION_ID = "processors.application.id";
    public static final String STATE_DIR = "processors.state.dir";
    public static final String COMMIT_INTERVAL_MS = "processors.commit.interval.ms";
    public static final String METRICS_INTERVAL_MS = "processors.metrics.interval.ms";
    public static final String BATCH_GROUPS = "batch.groups";
    public static final String ADVANTAGE_ESTIMATOR = "advantage.estimator";
    public static final String ADVANTAGE_STD = "advantage.std";
    public static final String ADVANTAGE_EPSILON = "advantage.epsilon";
    public static final String DYNAMIC_SAMPLING = "filter.dynamic-sampling";
    public static final String OVERLONG = "filter.overlong";
    public static final String MAX_STALENESS = "filter.max-staleness";
    public static final String PF_PPO = "filter.pf-ppo";
    public static final String PF_PPO_REWEIGHT = "filter.pf-ppo-reweight";
    public static final String PF_PPO_SEED = "filter.pf-ppo-seed";
    public static final String GROUP_TIMEOUT_MS = "group.timeout.ms";
    public static final String GROUP_MIN_SAMPLES = "group.min-samples";
    public static final String GROUP_RETENTION_MS = "group.retention.ms";
    public static final String PAIRS = "preference-pairs.enabled";
    public static final String EMA_WEIGHT = "prompt-stats.ema-weight";
    public static final String OUTPUT_TOPIC_PREFIX = "processors.output.topic-prefix";
    public static final String GROUP_SIZE = "group.size";
    public static final String MAX_IN_FLIGHT_GROUPS = "dispatch.max-in-flight-groups";
    public static final String TEMPERATURE = "dispatch.temperature";
    public static final String MAX_NEW_TOKENS = "dispatch.max-new-tokens";
    public static final String SEED = "dispatch.seed";
    public static final String MAX_BATCHES_AHEAD = "dispatch.max-batches-ahead";

    public static final ConfigDef DEFINITION = ServiceConfig.baseDef()
            .define(APPLICATION_ID, Type.STRING, "rlstream-processors", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Kafka Streams application id of the grouping app: its consumer group, the prefix of its internal "
                            + "topics, and the prefix of batch ids (application id, a dash, the batch sequence).")
            .define(STATE_DIR, Type.STRING, "", Importance.LOW,
                    "Local folder of the grouping app's state stores (restored from changelogs if lost); empty means "
                            + "the folder rlstream-processors under java.io.tmpdir.")
            .define(COMMIT_INTERVAL_MS, Type.LONG, 100L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "How often the grouping app commits (one exactly-once transaction per commit); a finished batch "
                            + "is committed at once regardless.")
            .define(METRICS_INTERVAL_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(100), Importance.LOW,
                    "How often the grouping app and the dispatcher publish their counters to the metrics topic.")
            .define(BATCH_GROUPS, Type.INT, 16, ConfigDef.Range.atLeast(1),
                    Importance.HIGH, "B: groups per training batch.")
            .define(ADVANTAGE_ESTIMATOR, Type.STRING, Grpo.NAME,
                    ConfigDef.ValidString.in(AdvantageEstimators.names().toArray(String[]::new)), Importance.HIGH,
                    "Advantage estimator applied to each completed group (ALGORITHMS.md section 1): grpo "
                            + "(r - mean)/(std + eps); grpo-batch-std (r - mean)/(batch std + eps); drgrpo r - mean; "
                            + "rloo r minus the mean of the others; reinforce-pp-baseline r - mean, whitened over the "
                            + "batch's tokens; opo r minus the length-weighted mean.")
            .define(ADVANTAGE_STD, Type.STRING, "sample", ConfigDef.ValidString.in("sample", "population"), Importance.LOW,
                    "Standard deviation of grpo and grpo-batch-std: sample (divide by n-1; verl, TRL, OpenRLHF) or "
                            + "population (divide by n).")
            .define(ADVANTAGE_EPSILON, Type.DOUBLE, Grpo.DEFAULT_EPSILON, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "Epsilon added to the std by grpo and grpo-batch-std.")
            .define(DYNAMIC_SAMPLING, Type.BOOLEAN, true, Importance.MEDIUM,
                    "DAPO dynamic sampling: drop groups whose usable rewards are all equal or that have fewer than "
                            + "two usable samples. When false only groups with no usable sample are dropped.")
            .define(OVERLONG, Type.BOOLEAN, false, Importance.MEDIUM,
                    "DAPO overlong filtering: mark responses that hit the length limit (finish_reason LENGTH) as "
                            + "truncated, so the trainer masks them out of the loss. They still count in their group's "
                            + "baseline.")
            .define(MAX_STALENESS, Type.INT, -1, ConfigDef.Range.atLeast(-1), Importance.MEDIUM,
                    "eta of the staleness filter: drop (and count) samples whose policy version is older than the "
                            + "newest version on rl.checkpoints minus eta, before the group is scored; -1 turns it off.")
            .define(PF_PPO, Type.STRING, "none",
                    ConfigDef.ValidString.in(PolicyFiltrations.names().toArray(String[]::new)), Importance.MEDIUM,
                    "PF-PPO policy filtration per group (arXiv 2409.06957), applied after the advantages: none, "
                            + "best-of-n (best only), best-random (best and one random other), best-worst. "
                            + "`rlstream pf-ppo r2` helps choose.")
            .define(PF_PPO_REWEIGHT, Type.STRING, "none", ConfigDef.ValidString.in(reweightingNames()), Importance.MEDIUM,
                    "verl's PF-PPO batch reweighting: resample each batch's samples with replacement, weighted by "
                            + "reward: none, pow (|r|^2), max_min (only the batch's best and worst), max_random (0.4 "
                            + "for the best, 0.1 for the rest).")
            .define(PF_PPO_SEED, Type.LONG, 0L, Importance.LOW,
                    "Seed of PF-PPO's random choices, mixed with the group id or batch sequence so that a replay "
                            + "chooses the same samples.")
            .define(GROUP_TIMEOUT_MS, Type.LONG, 300_000L, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "A group still missing samples this long after its first record closes with the samples it "
                            + "has (the missing ones count as failed).")
            .define(GROUP_MIN_SAMPLES, Type.INT, 2, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "A timed-out group goes on only with at least this many usable samples; otherwise it is "
                            + "dropped as timed_out.")
            .define(GROUP_RETENTION_MS, Type.LONG, 3_600_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "How long a closed group is remembered, so that its late or repeated records are counted and "
                            + "dropped instead of opening it again.")
            .define(PAIRS, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Write the best and the worst response of every group whose rewards differ to "
                            + "rl.preference-pairs (ties skipped), for DPO-style training.")
            .define(EMA_WEIGHT, Type.DOUBLE, 0.1, ConfigDef.Range.between(Double.MIN_VALUE, 1.0), Importance.LOW,
                    "Weight of the newest group in the moving average of a prompt's pass rate on rl.prompt-stats.")
            .define(OUTPUT_TOPIC_PREFIX, Type.STRING, null, Importance.LOW,
                    "Prefix of the topics the grouping app writes (batches, pairs, prompt stats, dead letters); "
                            + "unset means topic.prefix. Set it, with a new processors.application.id, to replay "
                            + "recorded rollouts and rewards under another configuration without feeding the trainer.")
            .define(GROUP_SIZE, Type.INT, 8, ConfigDef.Range.atLeast(1), Importance.HIGH,
                    "G: responses sampled per prompt (per dispatched group).")
            .define(MAX_IN_FLIGHT_GROUPS, Type.INT, 32, ConfigDef.Range.atLeast(1), Importance.HIGH,
                    "The dispatcher dispatches new groups only while dispatched minus completed groups is below this.")
            .define(MAX_BATCHES_AHEAD, Type.INT, 1, ConfigDef.Range.atLeast(0), Importance.HIGH,
                    "The dispatcher holds new groups while more than this many committed training batches wait "
                            + "for the trainer; bounds staleness when generation is faster than training.")
            .define(TEMPERATURE, Type.DOUBLE, 1.0, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "Sampling temperature written into every dispatched group.")
            .define(MAX_NEW_TOKENS, Type.INT, 5, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Response length limit in tokens written into every dispatched group.")
            .define(SEED, Type.LONG, 42L, Importance.LOW,
                    "Seed of the dispatcher's uniform random choice of prompts.");

    public ProcessorsConfig(Map<?, ?> originals) {
        super(DEFINITION, originals);
        if (getInt(GROUP_MIN_SAMPLES) > getInt(GROUP_SIZE)) {
            throw new ConfigException(GROUP_MIN_SAMPLES, getInt(GROUP_MIN_SAMPLES),
                    "a timed-out group can never have more usable samples than " + GROUP_SIZE + " = "
                            + getInt(GROUP_SIZE) + "; set it to at most that");
        }
    }

    /** Reads an optional properties file plus {@code RLSTREAM_*} environment overrides, and validates. */
    public static ProcessorsConfig load(Path file, Map<String, String> env) {
        return new ProcessorsConfig(ServiceConfig.read(file, env, DEFINITION));
    }

    /** The configured advantage estimator with its options (advantage.std, advantage.epsilon). */
    public AdvantageEstimator estimator() {
        return AdvantageEstimators.create(getString(ADVANTAGE_ESTIMATOR), new AdvantageOptions(
                Grpo.Std.valueOf(getString(ADVANTAGE_STD).toUpperCase(Locale.ROOT)), getDouble(ADVANTAGE_EPSILON)));
    }

    /** The topics the grouping app writes: processors.output.topic-prefix, or the input prefix when unset. */
    public TopicCatalog outputCatalog() {
        String prefix = getString(OUTPUT_TOPIC_PREFIX);
        return prefix == null ? catalog() : new TopicCatalog(prefix, getInt(GROUP_PARTITIONS));
    }

    private static String[] reweightingNames() {
        List<String> names = new ArrayList<>(List.of("none"));
        names.addAll(BatchReweightings.names());
        return names.toArray(String[]::new);
    }

    /** The state folder of the grouping app, the default resolved. */
    public String stateDir() {
        String dir = getString(STATE_DIR);
        return dir.isBlank() ? Path.of(System.getProperty("java.io.tmpdir"), "rlstream-processors").toString() : dir;
    }

    /** The configuration table (Markdown) of every key, generated from {@link #DEFINITION}. */
    public static String docs() {
        return ServiceConfig.markdown(DEFINITION);
    }
}
