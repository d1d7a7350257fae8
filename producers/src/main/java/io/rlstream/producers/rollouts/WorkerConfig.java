package io.rlstream.producers.rollouts;

import io.rlstream.config.ServiceConfig;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of a rollout worker; see {@link ServiceConfig} for the shared keys and sources. */
public final class WorkerConfig extends ServiceConfig {

    public static final String WORKER_ID = "worker.id";
    public static final String GROUP_ID = "worker.group.id";
    public static final String MAX_DISPATCHES = "worker.max.dispatches.per.generation";
    public static final String SEED = "worker.seed";
    public static final String POLICY_NAME = "policy.name";
    public static final String MODEL = "worker.model";

    public static final ConfigDef DEFINITION = ServiceConfig.baseDef(ServiceConfig.WORKER_METRICS_PORT)
            .define(WORKER_ID, Type.STRING, "worker-0", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Unique id of this worker; also its transactional id, so a restarted worker fences its old self.")
            .define(GROUP_ID, Type.STRING, "rlstream-rollout-workers", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Consumer group the workers share to split rl.prompt-dispatch.")
            .define(MAX_DISPATCHES, Type.INT, 16, ConfigDef.Range.between(1, 4096), Importance.MEDIUM,
                    "Most groups generated together in one batched forward pass (and one transaction).")
            .define(SEED, Type.LONG, 1234L, Importance.LOW, "Seed of the sampling random stream.")
            .define(POLICY_NAME, Type.STRING, "demo", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Policy whose checkpoints the worker loads from rl.checkpoints.")
            .define(MODEL, Type.STRING, "", Importance.MEDIUM,
                    "A Hugging Face model folder (config.json, safetensors weights, tokenizer.json) to generate with"
                            + " until the trainer announces a checkpoint; its rollouts carry the version in the folder's"
                            + " metadata.json, else 0. Empty: wait for the first checkpoint on rl.checkpoints.");

    public WorkerConfig(Map<?, ?> originals) {
        super(DEFINITION, originals);
    }
}
