package io.rlstream.producers.rollouts;

import io.rlstream.config.EnumSetting;
import io.rlstream.config.GroupMembership;
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
    public static final String CHECKPOINT_WAIT_MS = "worker.checkpoint.wait.ms";
    public static final String CHAT_TEMPLATE = "generate.chat-template";
    public static final String ENABLE_THINKING = "generate.enable-thinking";
    public static final String BACKEND = "generate.backend";
    public static final String URL = "generate.url";
    public static final String SERVED_MODEL = "generate.model";
    public static final String MAX_CONCURRENCY = "generate.max-concurrency";
    public static final String REQUEST_TIMEOUT_MS = "generate.request.timeout.ms";
    public static final String RETRIES = "generate.retries";
    public static final String SYNC_TIMEOUT_MS = "generate.sync.timeout.ms";
    public static final String TOKEN = "generate.token";
    public static final String TOKEN_FILE = "generate.token.file";

    public static final ConfigDef DEFINITION = GroupMembership.define(ServiceConfig.baseDef(ServiceConfig.WORKER_METRICS_PORT), "worker.id")
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
            .define(CHECKPOINT_WAIT_MS, Type.LONG, 60_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "How long a starting worker whose announced checkpoints' folders are all gone (superseded and"
                            + " deleted by the trainer's trainer.checkpoints.keep while it started) reads rl.checkpoints"
                            + " for a newer one before it stops. A folder that is gone is skipped, never a dead letter;"
                            + " a newer announcement whose folder loads ends the wait.")
            .define(CHAT_TEMPLATE, Type.STRING, EnumSetting.spelling(ChatTemplateUse.AUTO),
                    EnumSetting.validator(ChatTemplateUse.class), Importance.MEDIUM,
                    "When prompts go through the model's chat template (with the generation prompt): auto, those "
                            + "with chat messages; always, plain text prompts too (as one user message); never, none "
                            + "(a prompt with messages is given as its text). Plain text is encoded with the "
                            + "tokenizer's special tokens, as transformers' tokenizer(text).")
            .define(ENABLE_THINKING, Type.STRING, "default", ConfigDef.ValidString.in("default", "true", "false"),
                    Importance.LOW, "The chat template's enable_thinking (Qwen3): default leaves it unset (the "
                            + "template's default, thinking on); false appends an empty think block to the generation prompt.")
            .define(BACKEND, Type.STRING, EnumSetting.spelling(GenerateBackend.LOCAL),
                    EnumSetting.validator(GenerateBackend.class), Importance.HIGH,
                    "Who generates: local, in-process DJL sampling with the checkpoint's weights; openai, a vLLM "
                            + "server's POST /v1/completions; sglang, an SGLang server's POST /generate. The http "
                            + "backends load only the model folder's tokenizer (prompts go as token ids) and reload "
                            + "the server's weights on every checkpoint.")
            .define(URL, Type.STRING, "http://localhost:8000", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Base URL of the inference server (openai and sglang backends).")
            .define(SERVED_MODEL, Type.STRING, "", Importance.LOW,
                    "The model name sent as \"model\" to an openai server (vLLM's --served-model-name, else its "
                            + "--model); empty sends none, which vLLM takes as its one served model.")
            .define(MAX_CONCURRENCY, Type.INT, 8, ConfigDef.Range.between(1, 1024), Importance.MEDIUM,
                    "Most generation requests in flight to the server at once (one request per group, n = G).")
            .define(REQUEST_TIMEOUT_MS, Type.LONG, 600_000L, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Longest wait for one generation request; a group whose request times out becomes FAILED rollouts.")
            .define(RETRIES, Type.INT, 3, ConfigDef.Range.between(0, 100), Importance.MEDIUM,
                    "Retries of a request that met a connection error or a 5xx answer, with exponential backoff "
                            + "(0.2 s doubling, at most 5 s); a 4xx or a time-out is never retried.")
            .define(SYNC_TIMEOUT_MS, Type.LONG, 300_000L, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Longest wait for each POST of a weight sync after a checkpoint; a sync that fails or times "
                            + "out leaves the server on its old version (rollouts say so) and counts in worker.weight_sync_failures.")
            .define(TOKEN, Type.PASSWORD, "", Importance.MEDIUM,
                    "Bearer token sent to the inference server (Authorization: Bearer ...), whose weight-update, "
                            + "pause and resume endpoints need it when it has one (rlstream serve's RLSTREAM_SERVE_TOKEN, "
                            + "vLLM's and SGLang's --api-key). Best from the environment (RLSTREAM_GENERATE_TOKEN) or "
                            + "generate.token.file; never logged. Empty: none sent.")
            .define(TOKEN_FILE, Type.STRING, "", Importance.LOW,
                    "File whose first line is the bearer token (instead of generate.token).");

    public WorkerConfig(Map<?, ?> originals) {
        super(DEFINITION, originals);
    }

    /** generate.chat-template. */
    public ChatTemplateUse chatTemplateUse() {
        return getEnum(CHAT_TEMPLATE, ChatTemplateUse.class);
    }

    /** generate.backend. */
    public GenerateBackend backend() {
        return getEnum(BACKEND, GenerateBackend.class);
    }

    /** The bearer token for the inference server: generate.token.file's first line, else generate.token; null for none. */
    public String bearerToken() {
        String file = getString(TOKEN_FILE);
        if (!file.isBlank()) {
            try {
                String first = java.nio.file.Files.readAllLines(java.nio.file.Path.of(file)).stream().findFirst().orElse("");
                if (first.isBlank()) {
                    throw new org.apache.kafka.common.config.ConfigException(TOKEN_FILE + " " + file + " is empty");
                }
                return first.strip();
            } catch (java.io.IOException e) {
                throw new org.apache.kafka.common.config.ConfigException(TOKEN_FILE + " " + file + " cannot be read: " + e);
            }
        }
        String token = getPassword(TOKEN).value();
        return token.isBlank() ? null : token.strip();
    }

    /** generate.enable-thinking: null for default (the template's own), else the switch. */
    public Boolean enableThinking() {
        String v = getString(ENABLE_THINKING);
        return v.equals("default") ? null : Boolean.valueOf(v);
    }
}
