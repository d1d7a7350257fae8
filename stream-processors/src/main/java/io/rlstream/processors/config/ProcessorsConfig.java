package io.rlstream.processors.config;

import io.rlstream.config.ExactlyOnceStreams;
import io.rlstream.config.GroupMembership;
import io.rlstream.config.ServiceConfig;
import io.rlstream.processors.advantage.AdvantageEstimator;
import io.rlstream.processors.advantage.AdvantageEstimators;
import io.rlstream.processors.advantage.AdvantageOptions;
import io.rlstream.processors.curriculum.DifficultyPool;
import io.rlstream.processors.curriculum.PromptSelector;
import io.rlstream.processors.curriculum.PromptSelectors;
import io.rlstream.processors.curriculum.SelectorOptions;
import io.rlstream.processors.curriculum.UniformSelector;
import io.rlstream.processors.curriculum.ValueModelOptions;
import io.rlstream.config.EnumSetting;
import io.rlstream.processors.feedback.FeedbackMerge;
import io.rlstream.processors.advantage.Grpo;
import io.rlstream.processors.filter.DynamicSampling;
import io.rlstream.processors.filter.GroupFilter;
import io.rlstream.processors.filter.GroupFilters;
import io.rlstream.processors.filtration.BatchReweightings;
import io.rlstream.processors.filtration.KeepAll;
import io.rlstream.processors.filtration.PolicyFiltrations;
import io.rlstream.schemas.TopicCatalog;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Settings of the stream processors (the grouping app and the dispatcher), on top of the shared
 * keys of {@link ServiceConfig}. Declared once here; docs/configuration.md is generated from it.
 * {@code GroupingSettings.from} and {@code DispatchSettings.from} turn them into what each part needs.
 */
public final class ProcessorsConfig extends ServiceConfig {

    public static final String APPLICATION_ID = "processors.application.id";
    public static final String STATE_DIR = "processors.state.dir";
    public static final String COMMIT_INTERVAL_MS = "processors.commit.interval.ms";
    public static final String METRICS_INTERVAL_MS = "processors.metrics.interval.ms";
    public static final String SUMMARY_APPLICATION_ID = "summary.application.id";
    public static final String SUMMARY_EMIT_INTERVAL_MS = "summary.emit.interval.ms";
    public static final String BATCH_GROUPS = "batch.groups";
    /** inline | reference: whether training batches and preference pairs carry tokens or rl.rollouts positions (claim check). */
    public static final String BATCH_TOKENS = "batch.tokens";
    public static final String ADVANTAGE_ESTIMATOR = "advantage.estimator";
    public static final String ADVANTAGE_STD = "advantage.std";
    public static final String ADVANTAGE_EPSILON = "advantage.epsilon";
    public static final String GROUP_FILTER = "filter.group";
    public static final String OVERLONG = "filter.overlong";
    public static final String MAX_STALENESS = "filter.max-staleness";
    public static final String PF_PPO = "filter.pf-ppo";
    public static final String PF_PPO_REWEIGHT = "filter.pf-ppo-reweight";
    public static final String PF_PPO_SEED = "filter.pf-ppo-seed";
    public static final String GROUP_TIMEOUT_MS = "group.timeout.ms";
    public static final String GROUP_MIN_SAMPLES = "group.min-samples";
    public static final String GROUP_RETENTION_MS = "group.retention.ms";
    public static final String FEEDBACK = "group.feedback";
    public static final String MAX_GENERATION_ROUNDS = "filter.max-generation-rounds";
    public static final String FEEDBACK_WEIGHT = "group.feedback.weight";
    public static final String FEEDBACK_WAIT_MS = "group.feedback.wait.ms";
    /** Where the grouping app takes rollouts from (RolloutsSource). */
    public static final String ROLLOUTS_SOURCE = "grouping.rollouts.source";
    public static final String PAIRS = "preference-pairs.enabled";
    public static final String EMA_WEIGHT = "prompt-stats.ema-weight";
    public static final String OUTPUT_TOPIC_PREFIX = "processors.output.topic-prefix";
    public static final String GROUP_SIZE = "group.size";
    public static final String MAX_IN_FLIGHT_GROUPS = "dispatch.max-in-flight-groups";
    public static final String TEMPERATURE = "dispatch.temperature";
    public static final String MAX_NEW_TOKENS = "dispatch.max-new-tokens";
    public static final String SEED = "dispatch.seed";
    public static final String MAX_BATCHES_AHEAD = "dispatch.max-batches-ahead";
    public static final String SELECTOR = "dispatch.selector";
    public static final String DISPATCH_MAX_STALENESS = "dispatch.max-staleness";
    public static final String GENERATION_TIMEOUT_MS = "dispatch.generation.timeout.ms";
    public static final String STATE_INTERVAL_MS = "dispatch.state.interval.ms";
    public static final String QUERY_HOST = "dispatch.query.host";
    public static final String QUERY_PORT = "dispatch.query.port";
    public static final String DISPATCH_METRICS_PORT = "dispatch.metrics.port";
    public static final String QUERY_APPLICATION_ID = "dispatch.query.application.id";
    public static final String WINDOW_LO = "selector.window.lo";
    public static final String WINDOW_HI = "selector.window.hi";
    public static final String EXPLORE = "selector.window.explore";
    public static final String POOLS = "selector.pools";
    public static final String PCL_CANDIDATES = "selector.pcl.candidates";
    public static final String PCL_TAU = "selector.pcl.tau";
    public static final String PCL_LEARNING_RATE = "selector.pcl.learning-rate";
    public static final String PCL_HIDDEN = "selector.pcl.hidden";
    public static final String PCL_MEMORY_RATE = "selector.pcl.memory-rate";
    public static final String PCL_BUCKETS = "selector.pcl.buckets";

    public static final ConfigDef DEFINITION = ExactlyOnceStreams.defineStandbyReplicas(GroupMembership.define(
                    ServiceConfig.baseDef(ServiceConfig.PROCESSORS_METRICS_PORT),
                    "the host name and processors.state.dir (the grouping and step-summary apps; the dispatcher has no group)"))
            .define(APPLICATION_ID, Type.STRING, "rlstream-processors", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Kafka Streams application id of the grouping app: its consumer group, the prefix of its internal "
                            + "topics, and the prefix of batch ids (application id, a dash, the batch sequence).")
            .define(STATE_DIR, Type.STRING, "", Importance.LOW,
                    "Local folder of the grouping app's state stores (restored from changelogs if lost); empty means "
                            + "the folder rlstream-processors under java.io.tmpdir.")
            .define(COMMIT_INTERVAL_MS, Type.LONG, 100L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "How often the grouping app commits (one exactly-once transaction per commit); a finished batch "
                            + "becomes visible to the trainer at the next commit.")
            .define(METRICS_INTERVAL_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(100), Importance.LOW,
                    "How often the grouping app and the dispatcher publish their counters to the metrics topic.")
            .define(SUMMARY_APPLICATION_ID, Type.STRING, "rlstream-step-summary", new ConfigDef.NonEmptyString(),
                    Importance.LOW, "Kafka Streams application id of the step-summary app (rl.metrics -> rl.step-summary), "
                            + "which runs next to the grouping app; its state is under processors.state.dir.")
            .define(SUMMARY_EMIT_INTERVAL_MS, Type.LONG, 1_000L, ConfigDef.Range.atLeast(10), Importance.LOW,
                    "How often the step-summary app writes the summaries of the steps that changed: one record per "
                            + "changed step per interval, not one per metric; it also commits at this interval.")
            .define(BATCH_GROUPS, Type.INT, 16, ConfigDef.Range.atLeast(1),
                    Importance.HIGH, "B: groups per training batch.")
            .define(ADVANTAGE_ESTIMATOR, Type.STRING, Grpo.NAME,
                    AdvantageEstimators.FAMILY.validator(), Importance.HIGH,
                    "Advantage estimator applied to each completed group (docs/algorithms.md#advantage-estimators): grpo "
                            + "(r - mean)/(std + eps); grpo-batch-std (r - mean)/(batch std + eps); drgrpo r - mean; "
                            + "rloo r minus the mean of the others; reinforce-pp-baseline r - mean, whitened over the "
                            + "batch's tokens; opo r minus the length-weighted mean.")
            .define(ADVANTAGE_STD, Type.STRING, EnumSetting.spelling(Grpo.Std.SAMPLE),
                    EnumSetting.validator(Grpo.Std.class), Importance.LOW,
                    "Standard deviation of grpo and grpo-batch-std: sample (divide by n-1; verl, TRL, OpenRLHF) or "
                            + "population (divide by n).")
            .define(ADVANTAGE_EPSILON, Type.DOUBLE, Grpo.DEFAULT_EPSILON, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "Epsilon added to the std by grpo and grpo-batch-std.")
            .define(GROUP_FILTER, Type.STRING, DynamicSampling.NAME, GroupFilters.FAMILY.validator(), Importance.MEDIUM,
                    "Which completed groups go on to training: dynamic-sampling (DAPO: drop groups whose usable "
                            + "rewards are all equal or that have fewer than two usable samples) or none (only groups "
                            + "with no usable sample are dropped).")
            .define(OVERLONG, Type.BOOLEAN, false, Importance.MEDIUM,
                    "DAPO overlong filtering: mark responses that hit the length limit (finish_reason LENGTH) as "
                            + "truncated, so the trainer masks them out of the loss. They still count in their group's "
                            + "baseline.")
            .define(MAX_STALENESS, Type.INT, -1, ConfigDef.Range.atLeast(-1), Importance.MEDIUM,
                    "eta of the staleness filter: drop (and count) samples whose policy version is older than the "
                            + "newest version on rl.checkpoints minus eta, before the group is scored; -1 turns it off.")
            .define(PF_PPO, Type.STRING, KeepAll.NAME, PolicyFiltrations.FAMILY.validator(), Importance.MEDIUM,
                    "PF-PPO policy filtration per group (arXiv 2409.06957), applied after the advantages: none, "
                            + "best-of-n (best only), best-random (best and one random other), best-worst. "
                            + "`rlstream pf-ppo r2` helps choose.")
            .define(PF_PPO_REWEIGHT, Type.STRING, BatchReweightings.NONE, BatchReweightings.FAMILY.validator(),
                    Importance.MEDIUM,
                    "verl's PF-PPO batch reweighting: resample each batch's samples with replacement, weighted by "
                            + "reward: none, pow (|r|^2), max_min (only the batch's best and worst), max_random (0.4 "
                            + "for the best, 0.1 for the rest).")
            .define(MAX_GENERATION_ROUNDS, Type.INT, 10,
                    ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "DAPO's cap on generation rounds per batch (verl max_num_gen_batches, 10 in DAPO's recipe): when "
                            + "this many times batch.groups groups completed since the last batch without filling it "
                            + "(dynamic sampling dropped the rest), the groups kept so far go as a smaller batch and "
                            + "grouping.generation_cap_hits counts it; 0 never.")
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
            .define(FEEDBACK, Type.STRING, EnumSetting.spelling(FeedbackMerge.Mode.ADD),
                    EnumSetting.validator(FeedbackMerge.Mode.class), Importance.MEDIUM,
                    "How a reward from user feedback (rl.feedback, via the reward service) combines with the "
                            + "verifier's reward of the same rollout: add (score = verifier + group.feedback.weight * "
                            + "feedback) or replace (score = feedback). Without a verifier reward the feedback is the reward.")
            .define(FEEDBACK_WEIGHT, Type.DOUBLE, 1.0, Importance.LOW,
                    "Weight of the feedback component when group.feedback = add.")
            .define(FEEDBACK_WAIT_MS, Type.LONG, 0L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "How long after its first record a group whose samples all have rewards stays open for user "
                            + "feedback; 0 closes it as soon as every sample is scored (feedback that comes later is "
                            + "late and dropped). Keep it below group.timeout.ms.")
            .define(ROLLOUTS_SOURCE, Type.STRING, "rewards",
                    EnumSetting.validator(RolloutsSource.class), Importance.MEDIUM,
                    "Where the grouping app takes each rollout from. rewards: from the summary and position the "
                            + "reward service writes into every reward (Reward.rollout, issue 18), reading rl.rewards "
                            + "only (rl.rollouts only to read a batch's tokens back); a verifier's reward without a "
                            + "summary is a dead letter. rollouts-topic: from rl.rollouts, as before; needed with a "
                            + "feedback-only reward service (reward.score-rollouts = false), a reward service older "
                            + "than the processors, and while rewards written before its upgrade drain "
                            + "(docs/operations.md#upgrading-to-rollout-summaries-in-rewards-issue-18).")
            .define(PAIRS, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Write the best and the worst response of every group whose rewards differ to "
                            + "rl.preference-pairs (ties skipped), for DPO-style training.")
            .define(BATCH_TOKENS, Type.STRING, "inline", ConfigDef.ValidString.in("inline", "reference"),
                    Importance.MEDIUM,
                    "What training batches and preference pairs carry: inline (each sample's tokens, read back "
                            + "from rl.rollouts when the batch is written) or reference (each sample's position on "
                            + "rl.rollouts instead, marked tokens=REFERENCE; the trainer and every other reader fetch "
                            + "the tokens from there, so they reach the broker once and the grouping app reads no "
                            + "rollout). reference needs trainers that resolve references (docs/operations.md) and "
                            + "an rl.rollouts retention longer than the trainer's lag.")
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
                            + "for the trainer; bounds staleness when generation is faster than training. Used when "
                            + "dispatch.max-staleness is -1.")
            .define(DISPATCH_MAX_STALENESS, Type.INT, -1, ConfigDef.Range.atLeast(-1), Importance.HIGH,
                    "eta of AReaL's staleness-bounded admission (docs/algorithms.md#staleness-bounded-admission): new groups go only while "
                            + "(eta + v + 1) * batch.groups - (accepted + in flight) > 0, v the latest trained version, "
                            + "so a sample is trained at most eta versions after the weights that generated it; 0 is "
                            + "synchronous training, 2..8 typical. -1 uses dispatch.max-batches-ahead instead.")
            .define(STATE_INTERVAL_MS, Type.LONG, 5_000L, ConfigDef.Range.atLeast(100), Importance.LOW,
                    "How often the dispatcher writes its state (counts per prompt, groups in flight, input "
                            + "offsets) to the compacted rl.dispatcher-state; a restart reads that and the dispatches "
                            + "written after it, not the whole history.")
            .define(GENERATION_TIMEOUT_MS, Type.LONG, 600_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "A dispatched group still unresolved this long after its dispatch (a lost generation: its "
                            + "rollouts never came) is given up on and no longer counts as in flight; keep it above "
                            + "group.timeout.ms, which closes groups whose rollouts came only in part.")
            // > 0: the generators sample softmax(logits / T) and the trainer scores each sample at its T; greedy
            // decoding (T = 0) has no sampling distribution to form importance ratios with (issue 15).
            .define(TEMPERATURE, Type.DOUBLE, 1.0, ConfigDef.Range.between(1e-6, 100), Importance.MEDIUM,
                    "Sampling temperature written into every dispatched group; it travels with each rollout and the "
                            + "trainer scores the sample at it. Must be > 0: greedy decoding (0) gives no "
                            + "distribution for the importance ratios.")
            .define(MAX_NEW_TOKENS, Type.INT, 5, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Response length limit in tokens written into every dispatched group.")
            .define(SEED, Type.LONG, 42L, Importance.LOW,
                    "Seed of the dispatcher's random choices of prompts (and of PCL's value model).")
            .define(SELECTOR, Type.STRING, UniformSelector.NAME, PromptSelectors.FAMILY.validator(), Importance.HIGH,
                    "How the dispatcher chooses prompts (docs/algorithms.md#prompt-selectors): uniform (every prompt equally "
                            + "likely), pass-rate-window (estimated pass rate in [selector.window.lo, "
                            + "selector.window.hi], a share selector.window.explore of unseen prompts), difficulty-pools "
                            + "(prime-rl's weighted pools, selector.pools), pcl (Prompt Curriculum Learning: a value "
                            + "model V(x) scores selector.pcl.candidates candidates per prompt and the ones closest "
                            + "to selector.pcl.tau go).")
            .define(WINDOW_LO, Type.DOUBLE, 0.05, ConfigDef.Range.between(0.0, 1.0), Importance.MEDIUM,
                    "pass-rate-window: lowest estimated pass rate (the latest group's mean reward on rl.prompt-stats) a seen prompt "
                            + "may have to be dispatched again (AReaL 0.05).")
            .define(WINDOW_HI, Type.DOUBLE, 0.95, ConfigDef.Range.between(0.0, 1.0), Importance.MEDIUM,
                    "pass-rate-window: highest estimated pass rate a seen prompt may have to be dispatched again "
                            + "(AReaL 0.95).")
            .define(EXPLORE, Type.DOUBLE, 0.2, ConfigDef.Range.between(0.0, 1.0), Importance.MEDIUM,
                    "pass-rate-window: share of picks spent on prompts never generated, whose pass rate is unknown.")
            .define(POOLS, Type.STRING, DifficultyPool.DEFAULTS, new PoolsValidator(), Importance.MEDIUM,
                    "difficulty-pools: name=upper:weight,... with rising upper bounds of the estimated pass rate, "
                            + "the last 1; a pool is drawn with probability proportional to its weight, then a prompt "
                            + "of it uniformly; unseen prompts count as 0.5 (prime-rl).")
            .define(PCL_CANDIDATES, Type.INT, SelectorOptions.defaults().pclCandidates(), ConfigDef.Range.between(1, 1024), Importance.MEDIUM,
                    "pcl: k, candidates drawn uniformly and scored by V(x) per prompt dispatched; the m of k*m "
                            + "closest to tau are dispatched.")
            .define(PCL_TAU, Type.DOUBLE, 0.5, ConfigDef.Range.between(0.0, 1.0), Importance.MEDIUM,
                    "pcl: tau, the expected reward aimed at (0.5: where a 0/1 reward varies most). PCL assumes "
                            + "rewards in [0, 1].")
            .define(PCL_LEARNING_RATE, Type.DOUBLE, ValueModelOptions.defaults().learningRate(),
                    ConfigDef.Range.between(1e-6, 10.0), Importance.LOW,
                    "pcl: SGD learning rate of the value model's online update on each completed group.")
            .define(PCL_MEMORY_RATE, Type.DOUBLE, ValueModelOptions.defaults().memoryRate(),
                    ConfigDef.Range.between(0.0, 1.0), Importance.LOW,
                    "pcl: step size of the value model's per-prompt memory, an offset learnt for each prompt "
                            + "generated (what the n-grams cannot tell of it); 0 = none, the network alone.")
            .define(PCL_HIDDEN, Type.INT, ValueModelOptions.defaults().hidden(), ConfigDef.Range.between(1, 4096),
                    Importance.LOW, "pcl: hidden units of the value model.")
            .define(PCL_BUCKETS, Type.INT, ValueModelOptions.defaults().buckets(), ConfigDef.Range.between(16, 1 << 24),
                    Importance.LOW, "pcl: hashed n-gram feature slots of the value model.")
            .define(QUERY_HOST, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Address the dispatcher's query server binds (rlstream prompts top|show ask it).")
            .define(QUERY_PORT, Type.INT, 7071, ConfigDef.Range.between(-1, 65535), Importance.LOW,
                    "Port of the dispatcher's query server over its selection state store; 0 = any free port "
                            + "(logged), -1 = no server.")
            .define(DISPATCH_METRICS_PORT, Type.INT, ServiceConfig.DISPATCHER_METRICS_PORT, ConfigDef.Range.between(-1, 65535),
                    Importance.LOW, "Port of the Prometheus endpoint of rlstream dispatcher started alone (metrics.port "
                            + "is the processors'; both bind metrics.host); 0 = any free port (printed), -1 = none.")
            .define(QUERY_APPLICATION_ID, Type.STRING, "rlstream-dispatcher-query", new ConfigDef.NonEmptyString(),
                    Importance.LOW, "Kafka Streams application id of the dispatcher's selection state store "
                            + "(a global table over rl.prompt-selection).");

    public ProcessorsConfig(Map<?, ?> originals) {
        super(DEFINITION, originals);
        if (getInt(GROUP_MIN_SAMPLES) > getInt(GROUP_SIZE)) {
            throw new ConfigException(GROUP_MIN_SAMPLES, getInt(GROUP_MIN_SAMPLES),
                    "a timed-out group can never have more usable samples than " + GROUP_SIZE + " = "
                            + getInt(GROUP_SIZE) + "; set it to at most that");
        }
        if (getDouble(WINDOW_LO) > getDouble(WINDOW_HI)) {
            throw new ConfigException(WINDOW_LO, getDouble(WINDOW_LO), "the pass-rate window is empty: "
                    + WINDOW_LO + " must be at most " + WINDOW_HI + " = " + getDouble(WINDOW_HI));
        }
    }

    /** Reads an optional properties file plus {@code RLSTREAM_*} environment overrides, and validates. */
    public static ProcessorsConfig load(Path file, Map<String, String> env) {
        return new ProcessorsConfig(ServiceConfig.read(file, env, DEFINITION));
    }

    /** The configured advantage estimator with its options (advantage.std, advantage.epsilon). */
    public AdvantageEstimator estimator() {
        return AdvantageEstimators.FAMILY.create(getString(ADVANTAGE_ESTIMATOR), new AdvantageOptions(
                getEnum(ADVANTAGE_STD, Grpo.Std.class), getDouble(ADVANTAGE_EPSILON)));
    }

    /** The configured group filter (filter.group). */
    public GroupFilter groupFilter() {
        return GroupFilters.FAMILY.create(getString(GROUP_FILTER), null);
    }

    /** The topics the grouping app writes: processors.output.topic-prefix, or the input prefix when unset. */
    public TopicCatalog outputCatalog() {
        String prefix = getString(OUTPUT_TOPIC_PREFIX);
        return prefix == null ? catalog() : new TopicCatalog(prefix, getInt(GROUP_PARTITIONS));
    }

    /** The configured prompt selector (dispatch.selector with its selector.* options). */
    public PromptSelector selector() {
        return PromptSelectors.FAMILY.create(getString(SELECTOR), selectorOptions());
    }

    public SelectorOptions selectorOptions() {
        return new SelectorOptions(getDouble(WINDOW_LO), getDouble(WINDOW_HI), getDouble(EXPLORE),
                DifficultyPool.parse(getString(POOLS)), getInt(PCL_CANDIDATES), getDouble(PCL_TAU),
                new ValueModelOptions(getInt(PCL_BUCKETS), getInt(PCL_HIDDEN), getDouble(PCL_LEARNING_RATE),
                        getDouble(PCL_MEMORY_RATE), getLong(SEED)));
    }

    /** Rejects a selector.pools value that does not parse, with the parser's reason. */
    private static final class PoolsValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                DifficultyPool.parse((String) value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "name=upper:weight,...";
        }
    }

    /** The state folder of the grouping app, the default resolved. */
    public String stateDir() {
        String dir = getString(STATE_DIR);
        return dir.isBlank() ? Path.of(System.getProperty("java.io.tmpdir"), "rlstream-processors").toString() : dir;
    }
}
