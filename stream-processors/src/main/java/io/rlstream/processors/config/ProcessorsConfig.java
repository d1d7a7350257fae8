package io.rlstream.processors.config;

import io.rlstream.config.ServiceConfig;
import io.rlstream.processors.advantage.AdvantageEstimator;
import io.rlstream.processors.advantage.AdvantageEstimators;
import io.rlstream.processors.advantage.Grpo;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
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
    public static final String GRPO_STD = "grpo.std";
    public static final String GRPO_EPSILON = "grpo.epsilon";
    public static final String DYNAMIC_SAMPLING = "filter.dynamic-sampling";
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
                    "Advantage estimator applied to each completed group (ALGORITHMS.md section 1).")
            .define(GRPO_STD, Type.STRING, "sample", ConfigDef.ValidString.in("sample", "population"), Importance.LOW,
                    "Standard deviation of the grpo estimator: sample (divide by G-1; verl, TRL, OpenRLHF) or "
                            + "population (divide by G).")
            .define(GRPO_EPSILON, Type.DOUBLE, Grpo.DEFAULT_EPSILON, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "Epsilon added to the group std by the grpo estimator.")
            .define(DYNAMIC_SAMPLING, Type.BOOLEAN, true, Importance.MEDIUM,
                    "DAPO dynamic sampling: drop groups whose usable rewards are all equal or that have fewer than "
                            + "two usable samples. When false only groups with no usable sample are dropped.")
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
    }

    /** Reads an optional properties file plus {@code RLSTREAM_*} environment overrides, and validates. */
    public static ProcessorsConfig load(Path file, Map<String, String> env) {
        return new ProcessorsConfig(ServiceConfig.read(file, env, DEFINITION));
    }

    /** The configured advantage estimator; the grpo.* keys apply to grpo. */
    public AdvantageEstimator estimator() {
        String name = getString(ADVANTAGE_ESTIMATOR);
        if (Grpo.NAME.equals(name)) {
            return new Grpo(Grpo.Std.valueOf(getString(GRPO_STD).toUpperCase(Locale.ROOT)), getDouble(GRPO_EPSILON));
        }
        return AdvantageEstimators.byName(name);
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
