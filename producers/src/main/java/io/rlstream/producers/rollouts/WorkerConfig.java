package io.rlstream.producers.rollouts;

import io.rlstream.config.EnumSetting;
import io.rlstream.config.ServiceConfig;
import io.rlstream.producers.rendering.ChatTemplateUse;
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
    public static final String CHAT_TEMPLATE = "generate.chat-template";
    public static final String ENABLE_THINKING = "generate.enable-thinking";

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
                            + " metadata.json, else 0. Empty: wait for the first checkpoint on rl.checkpoints.")
            .define(CHAT_TEMPLATE, Type.STRING, EnumSetting.spelling(ChatTemplateUse.AUTO),
                    EnumSetting.validator(ChatTemplateUse.class), Importance.MEDIUM,
                    "When prompts go through the model's chat template (with the generation prompt): auto, those "
                            + "with chat messages; always, plain text prompts too (as one user message); never, none "
                            + "(a prompt with messages is given as its text). Plain text is encoded with the "
                            + "tokenizer's special tokens, as transformers' tokenizer(text).")
            .define(ENABLE_THINKING, Type.STRING, "default", ConfigDef.ValidString.in("default", "true", "false"),
                    Importance.LOW, "The chat template's enable_thinking (Qwen3): default leaves it unset (the "
                            + "template's default, thinking on); false appends an empty think block to the generation prompt.");

    public WorkerConfig(Map<?, ?> originals) {
        super(DEFINITION, originals);
    }

    /** generate.chat-template. */
    public ChatTemplateUse chatTemplateUse() {
        return getEnum(CHAT_TEMPLATE, ChatTemplateUse.class);
    }

    /** generate.enable-thinking: null for default (the template's own), else the switch. */
    public Boolean enableThinking() {
        String v = getString(ENABLE_THINKING);
        return v.equals("default") ? null : Boolean.valueOf(v);
    }
}
