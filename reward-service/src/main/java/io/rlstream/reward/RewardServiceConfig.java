package io.rlstream.reward;

import io.rlstream.config.ExactlyOnceStreams;
import io.rlstream.config.GroupMembership;
import io.rlstream.config.ServiceConfig;
import io.rlstream.reward.compose.OverlongPenalty;
import io.rlstream.reward.compose.RewardComposition;
import io.rlstream.reward.feedback.FeedbackMapping;
import io.rlstream.reward.sandbox.SandboxLimits;
import io.rlstream.reward.score.RewardScorer;
import io.rlstream.reward.stream.RewardTopology;
import io.rlstream.reward.verify.NumericExactMatch;
import io.rlstream.reward.verify.RemoteRewardClient;
import io.rlstream.reward.verify.RemoteSettings;
import io.rlstream.reward.verify.RewardModelClient;
import io.rlstream.reward.verify.Verifier;
import io.rlstream.reward.verify.VerifierSettings;
import io.rlstream.reward.verify.Verifiers;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Settings of the reward service; see {@link ServiceConfig} for the shared keys and sources. */
public final class RewardServiceConfig extends ServiceConfig {

    public static final String APPLICATION_ID = "reward.application.id";
    public static final String STATE_DIR = "reward.state.dir";
    public static final String COMMIT_INTERVAL_MS = "reward.commit.interval.ms";
    public static final String VERIFIER = "reward.verifier";
    public static final String CORRECT = "reward.correct";
    public static final String INCORRECT = "reward.incorrect";
    public static final String STREAM_THREADS = "reward.stream.threads";
    public static final String VERIFIER_TIMEOUT_MS = "reward.verifier.timeout.ms";
    public static final String COMPONENTS = "reward.components";
    public static final String FORMAT_OPEN = "reward.format.open-tag";
    public static final String FORMAT_CLOSE = "reward.format.close-tag";
    public static final String OVERLONG_MAX = "reward.overlong.max-length";
    public static final String OVERLONG_BUFFER = "reward.overlong.buffer";
    public static final String OVERLONG_FACTOR = "reward.overlong.factor";
    public static final String EXACT_IGNORE_CASE = "reward.exact.ignore-case";
    public static final String CODE_TIMEOUT_MS = "reward.code.timeout.ms";
    public static final String CODE_CPU_SECONDS = "reward.code.cpu-seconds";
    public static final String CODE_MEMORY_MB = "reward.code.memory-mb";
    public static final String MODEL_URL = "reward.model.url";
    public static final String MODEL_TIMEOUT_MS = "reward.model.timeout.ms";
    public static final String MODEL_ATTEMPTS = "reward.model.attempts";
    public static final String REMOTE_URL = "reward.remote.url";
    public static final String REMOTE_AUTH_HEADER = "reward.remote.auth-header";
    public static final String REMOTE_TOKEN = "reward.remote.token";
    public static final String REMOTE_BATCH_SIZE = "reward.remote.batch-size";
    public static final String REMOTE_LINGER_MS = "reward.remote.linger.ms";
    public static final String REMOTE_TIMEOUT_MS = "reward.remote.timeout.ms";
    public static final String REMOTE_ATTEMPTS = "reward.remote.attempts";
    public static final String FEEDBACK_ENABLED = "reward.feedback.enabled";
    public static final String FEEDBACK_MAPPING = "reward.feedback.mapping";
    public static final String SCORE_ROLLOUTS = "reward.score-rollouts";

    public static final ConfigDef DEFINITION = ExactlyOnceStreams.defineStandbyReplicas(GroupMembership.define(
                    ServiceConfig.baseDef(ServiceConfig.REWARDS_METRICS_PORT), "the host name and reward.state.dir"))
            .define(APPLICATION_ID, Type.STRING, "rlstream-rewards", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Kafka Streams application id of the reward service (consumer group and internal topic prefix).")
            .define(STATE_DIR, Type.STRING, System.getProperty("java.io.tmpdir") + "/rlstream-rewards",
                    Importance.LOW, "Local folder for the prompts global table.")
            .define(COMMIT_INTERVAL_MS, Type.LONG, 100L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "How often rewards are committed (one exactly-once transaction per commit).")
            .define(VERIFIER, Type.STRING, NumericExactMatch.NAME, Verifiers.validator(), Importance.HIGH, "Verifier that scores responses against the prompt's reference answer: a built-in one or a plug-in's name (a VerifierProvider jar on the class path, RLSTREAM_EXTRA_CLASSPATH).")
            .define(CORRECT, Type.DOUBLE, 1.0, Importance.MEDIUM, "Score of a correct response.")
            .define(INCORRECT, Type.DOUBLE, 0.0, Importance.MEDIUM, "Score of an incorrect response (e.g. -1 for ±1 rewards).")
            .define(STREAM_THREADS, Type.INT, 1, ConfigDef.Range.between(1, 256), Importance.MEDIUM,
                    "Kafka Streams threads: rollouts are scored in parallel by partition of rl.rollouts.")
            .define(VERIFIER_TIMEOUT_MS, Type.LONG, 30_000L, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "A verifier that takes longer gives a FAILED reward with the reason (never a zero). Applies to "
                            + "the verifiers that can hang (code-python, reward-model, remote, plug-ins); the bounded "
                            + "built-ins (numeric-exact, math, exact, regex) end by themselves and run on the stream "
                            + "thread.")
            .define(COMPONENTS, Type.STRING, "correctness=1.0", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "The reward as a weighted sum of named components: correctness (the verifier), format (the "
                            + "required answer tags), overlong (DAPO's soft length penalty), e.g. "
                            + "correctness=1.0,format=0.1,overlong=1.0. Every component is kept on the Reward event.")
            .define(FORMAT_OPEN, Type.STRING, "<answer>", Importance.LOW, "Opening tag the format component requires.")
            .define(FORMAT_CLOSE, Type.STRING, "</answer>", Importance.LOW, "Closing tag the format component requires.")
            .define(OVERLONG_MAX, Type.INT, 20_480, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "L_max of the overlong penalty, in response tokens (DAPO).")
            .define(OVERLONG_BUFFER, Type.INT, 4_096, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "L_c of the overlong penalty: the penalty grows linearly over the last L_c tokens before L_max.")
            .define(OVERLONG_FACTOR, Type.DOUBLE, 1.0, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "Size of the overlong penalty at and beyond L_max.")
            .define(EXACT_IGNORE_CASE, Type.BOOLEAN, false, Importance.LOW,
                    "Whether the exact verifier ignores case.")
            .define(CODE_TIMEOUT_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Wall-clock limit of one sandboxed run of the code-python verifier.")
            .define(CODE_CPU_SECONDS, Type.INT, 5, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "CPU-time limit of one sandboxed run.")
            .define(CODE_MEMORY_MB, Type.INT, 512, ConfigDef.Range.atLeast(16), Importance.LOW,
                    "Address-space limit of one sandboxed run, in MiB.")
            .define(MODEL_URL, Type.STRING, "", Importance.MEDIUM,
                    "HTTP endpoint of the reward-model verifier: POST {prompt, response, reference} -> {score}.")
            .define(MODEL_TIMEOUT_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Time limit of one request to the reward model.")
            .define(MODEL_ATTEMPTS, Type.INT, 3, ConfigDef.Range.between(1, 20), Importance.LOW,
                    "Attempts per response (connection errors, time-outs and 5xx are retried with backoff).")
            .define(REMOTE_URL, Type.STRING, "", Importance.MEDIUM,
                    "Endpoint of the remote verifier, in OpenRLHF's shape: POST {query, prompts, labels} -> {rewards}, "
                            + "a batch of responses per request.")
            .define(REMOTE_AUTH_HEADER, Type.STRING, "Authorization", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Header that carries reward.remote.token: Authorization sends 'Bearer <token>', any other header "
                            + "the token as is (e.g. X-API-Key).")
            .define(REMOTE_TOKEN, Type.PASSWORD, "", Importance.MEDIUM,
                    "Secret of the remote endpoint; empty sends no header. Best from the environment: "
                            + "RLSTREAM_REWARD_REMOTE_TOKEN.")
            .define(REMOTE_BATCH_SIZE, Type.INT, 16, ConfigDef.Range.between(1, 4096), Importance.MEDIUM,
                    "Most responses in one request to the remote endpoint; rollouts wait (in a changelogged store) "
                            + "until this many are pending or reward.remote.linger.ms has passed.")
            .define(REMOTE_LINGER_MS, Type.LONG, 100L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "How long pending rollouts wait for a batch to fill before what is there is sent.")
            .define(REMOTE_TIMEOUT_MS, Type.LONG, 30_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Time limit of one request to the remote endpoint (the whole batch, within "
                            + "reward.verifier.timeout.ms).")
            .define(REMOTE_ATTEMPTS, Type.INT, 3, ConfigDef.Range.between(1, 20), Importance.LOW,
                    "Attempts per batch: connection errors, time-outs and 5xx are retried with backoff; 4xx (a wrong "
                            + "token) and malformed answers are not, and fail the batch's rewards.")
            .define(FEEDBACK_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Turn UserFeedback events on rl.feedback into rewards for the matching rollouts (RLUF).")
            .define(FEEDBACK_MAPPING, Type.STRING, "thumbs_up=1,thumbs_down=-1", new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Reward of each reaction, e.g. thumbs_up=1,thumbs_down=-1,\u2764\ufe0f=1; "
                            + "reactions not listed are dead-lettered and counted.")
            .define(SCORE_ROLLOUTS, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Score every rollout with the verifier. false: a feedback-only deployment, where the only rewards "
                            + "are user reactions on rl.feedback (a group closes when every sample has one, or at "
                            + "group.timeout.ms with the samples that have).");

    public RewardServiceConfig(Map<?, ?> originals) {
        super(DEFINITION, originals);
        if (RewardModelClient.NAME.equals(getString(VERIFIER)) && getString(MODEL_URL).isBlank()) {
            throw new ConfigException(MODEL_URL, "", "the reward-model verifier needs the endpoint's URL");
        }
        if (RemoteRewardClient.NAME.equals(getString(VERIFIER)) && getString(REMOTE_URL).isBlank()) {
            throw new ConfigException(REMOTE_URL, "", "the remote verifier needs the endpoint's URL");
        }
        if (!getBoolean(SCORE_ROLLOUTS) && !getBoolean(FEEDBACK_ENABLED)) {
            throw new ConfigException(SCORE_ROLLOUTS, false, "with neither rollouts scored nor "
                    + FEEDBACK_ENABLED + " the reward service would write no reward at all; turn one on");
        }
        // The specs are parsed now, so that a typo stops the service at start with the key named.
        try {
            RewardComposition.parse(getString(COMPONENTS));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(COMPONENTS, getString(COMPONENTS), e.getMessage());
        }
        try {
            FeedbackMapping.parse(getString(FEEDBACK_MAPPING));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(FEEDBACK_MAPPING, getString(FEEDBACK_MAPPING), e.getMessage());
        }
    }

    /** What the verifiers are built from: the scores and each verifier's own settings. */
    public VerifierSettings verifierSettings() {
        return new VerifierSettings(getDouble(CORRECT), getDouble(INCORRECT), getBoolean(EXACT_IGNORE_CASE),
                getString(FORMAT_OPEN), getString(FORMAT_CLOSE), SandboxLimits.defaults()
                        .withWallClock(Duration.ofMillis(getLong(CODE_TIMEOUT_MS)))
                        .withCpuSeconds(getInt(CODE_CPU_SECONDS))
                        .withMemoryBytes(getInt(CODE_MEMORY_MB) * 1024L * 1024L),
                getString(MODEL_URL), Duration.ofMillis(getLong(MODEL_TIMEOUT_MS)), getInt(MODEL_ATTEMPTS),
                new RemoteSettings(getString(REMOTE_URL), getString(REMOTE_AUTH_HEADER),
                        getPassword(REMOTE_TOKEN).value(), getInt(REMOTE_BATCH_SIZE),
                        Duration.ofMillis(getLong(REMOTE_LINGER_MS)), Duration.ofMillis(getLong(REMOTE_TIMEOUT_MS)),
                        getInt(REMOTE_ATTEMPTS)));
    }

    /**
     * How rollouts are batched before scoring: the remote verifier's batch size and linger; null
     * (one at a time, as they come) for every other verifier.
     */
    public RewardTopology.Batching batching() {
        return RemoteRewardClient.NAME.equals(getString(VERIFIER))
                ? new RewardTopology.Batching(getInt(REMOTE_BATCH_SIZE), Duration.ofMillis(getLong(REMOTE_LINGER_MS)))
                : null;
    }

    /**
     * The verifier {@code reward.verifier} names, with its settings: a built-in one, else a plug-in
     * found on the thread's context class loader.
     */
    public Verifier verifier() {
        return Verifiers.create(getString(VERIFIER), verifierSettings(), Thread.currentThread().getContextClassLoader());
    }

    /**
     * The configured verifier plus the format and overlong components the composition asks for,
     * each verification bounded by {@code reward.verifier.timeout.ms} on {@code executor}.
     */
    public RewardScorer scorer(ExecutorService executor) {
        RewardComposition composition = RewardComposition.parse(getString(COMPONENTS));
        Verifier format = composition.weights().containsKey(RewardScorer.FORMAT)
                ? verifierSettings().formatVerifier() : null;
        OverlongPenalty overlong = composition.weights().containsKey(RewardScorer.OVERLONG)
                ? new OverlongPenalty(getInt(OVERLONG_MAX), getInt(OVERLONG_BUFFER), getDouble(OVERLONG_FACTOR))
                : null;
        return new RewardScorer(verifier(), format, overlong, composition,
                Duration.ofMillis(getLong(VERIFIER_TIMEOUT_MS)), executor);
    }
}
