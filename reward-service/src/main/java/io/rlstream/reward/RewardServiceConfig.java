package io.rlstream.reward;

import io.rlstream.config.ServiceConfig;
import io.rlstream.reward.verify.Verifiers;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of the reward service; see {@link ServiceConfig} for the shared keys and sources. */
public final class RewardServiceConfig extends ServiceConfig {

    public static final String APPLICATION_ID = "reward.application.id";
    public static final String STATE_DIR = "reward.state.dir";
    public static final String COMMIT_INTERVAL_MS = "reward.commit.interval.ms";
    public static final String VERIFIER = "reward.verifier";
    public static final String CORRECT = "reward.correct";
    public static final String INCORRECT = "reward.incorrect";

    public static final ConfigDef DEFINITION = ServiceConfig.baseDef()
            .define(APPLICATION_ID, Type.STRING, "rlstream-rewards", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Kafka Streams application id of the reward service (consumer group and internal topic prefix).")
            .define(STATE_DIR, Type.STRING, System.getProperty("java.io.tmpdir") + "/rlstream-rewards",
                    Importance.LOW, "Local folder for the prompts global table.")
            .define(COMMIT_INTERVAL_MS, Type.LONG, 100L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "How often rewards are committed (one exactly-once transaction per commit).")
            .define(VERIFIER, Type.STRING, "numeric-exact", ConfigDef.ValidString.in(Verifiers.names().toArray(String[]::new)),
                    Importance.HIGH, "Verifier that scores responses against the prompt's reference answer.")
            .define(CORRECT, Type.DOUBLE, 1.0, Importance.MEDIUM, "Score of a correct response.")
            .define(INCORRECT, Type.DOUBLE, 0.0, Importance.MEDIUM, "Score of an incorrect response (e.g. -1 for ±1 rewards).");

    public RewardServiceConfig(Map<?, ?> originals) {
        super(DEFINITION, originals);
    }
}
