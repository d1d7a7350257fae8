package io.rlstream.trainer.service;

import io.rlstream.config.EnumSetting;
import io.rlstream.config.ServiceConfig;
import io.rlstream.model.safetensors.Dtype;
import io.rlstream.trainer.core.LossAggregations;
import io.rlstream.trainer.core.Objective;
import io.rlstream.trainer.core.PolicyLoss;
import io.rlstream.trainer.core.PolicyLosses;
import io.rlstream.trainer.core.SequenceClippedSurrogate;
import io.rlstream.trainer.core.TrainerConfig;
import io.rlstream.trainer.objective.GroupObjective;
import io.rlstream.trainer.objective.GroupObjectives;
import io.rlstream.trainer.objective.ImportanceCorrection;
import io.rlstream.trainer.objective.KlEstimators;
import io.rlstream.trainer.objective.NegativeAwareFineTuning;
import io.rlstream.trainer.objective.OffPolicyCorrections;
import io.rlstream.trainer.objective.PreferenceLoss;
import io.rlstream.trainer.objective.PreferenceLosses;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Settings of the trainer service; see {@link ServiceConfig} for the shared keys and sources. */
public final class TrainerServiceConfig extends ServiceConfig {

    public static final String POLICY_NAME = "policy.name";
    public static final String CHECKPOINT_DIR = "trainer.checkpoint.dir";
    public static final String CHECKPOINT_DTYPE = "trainer.checkpoint.dtype";
    public static final String KEEP = "trainer.checkpoints.keep";
    public static final String INIT = "trainer.init.checkpoint";
    public static final String LEARNING_RATE = "trainer.learning.rate";
    public static final String CLIP_LOW = "trainer.clip.epsilon.low";
    public static final String CLIP_HIGH = "trainer.clip.epsilon.high";
    public static final String GRAD_CLIP = "trainer.grad.clip";
    public static final String MAX_STEPS = "trainer.max.steps";
    public static final String WARMUP_STEPS = "trainer.warmup.steps";
    public static final String DECAY_STEPS = "trainer.decay.steps";
    public static final String UPDATES_PER_BATCH = "trainer.updates.per.batch";
    public static final String MODE = "trainer.mode";
    public static final String MINI_BATCHES = "trainer.mini.batches";
    public static final String MICRO_BATCH_ROWS = "trainer.micro.batch.rows";
    public static final String MAX_LOGIT_ELEMENTS = "trainer.max.logit.elements";
    public static final String DUAL_CLIP = "trainer.clip.dual";
    public static final String POLICY_LOSS = "trainer.policy.loss";
    public static final String AGGREGATION = "trainer.loss.aggregation";
    public static final String LOSS_MAX_LENGTH = "trainer.loss.max-length";
    public static final String WEIGHT_DECAY = "trainer.weight.decay";
    public static final String TEMPERATURE = "trainer.temperature";
    public static final String KL_ESTIMATOR = "trainer.kl.estimator";
    public static final String KL_COEF = "trainer.kl.coef";
    public static final String KL_PLACEMENT = "trainer.kl.placement";
    public static final String KL_TARGET = "trainer.kl.target";
    public static final String KL_HORIZON = "trainer.kl.horizon";
    public static final String ENTROPY_COEF = "trainer.entropy.coef";
    public static final String DECOUPLED = "trainer.offpolicy.decoupled";
    public static final String CORRECTION = "trainer.offpolicy.correction";
    public static final String CORRECTION_LEVEL = "trainer.offpolicy.level";
    public static final String CORRECTION_CAP = "trainer.offpolicy.cap";
    public static final String CORRECTION_LOWER = "trainer.offpolicy.lower";
    public static final String CORRECTION_UPPER = "trainer.offpolicy.upper";
    public static final String REFERENCE = "trainer.reference.checkpoint";
    public static final String PREFERENCE_LOSS = "trainer.preference.loss";
    public static final String PREFERENCE_BETA = "trainer.preference.beta";
    public static final String PREFERENCE_ALPHA = "trainer.preference.alpha";
    public static final String PAIRS_PER_STEP = "trainer.preference.pairs.per.step";
    public static final String SFT_PROMPTS_PER_STEP = "trainer.sft.prompts.per.step";
    public static final String GSPO_CLIP_LOW = "trainer.gspo.clip.low";
    public static final String GSPO_CLIP_HIGH = "trainer.gspo.clip.high";
    public static final String GROUP_OBJECTIVE = "trainer.group.objective";
    public static final String NFT_REWARD_LOW = "trainer.nft.reward.low";
    public static final String NFT_REWARD_HIGH = "trainer.nft.reward.high";

    /** Defaults of the policy update: the recipe tuned for the demo (trainer-service/README.md). */
    private static final TrainerConfig RECIPE = TrainerConfig.defaults();
    private static final Objective OBJECTIVE = RECIPE.objective();

    public static final ConfigDef DEFINITION = ServiceConfig.baseDef(ServiceConfig.TRAINER_METRICS_PORT)
            .define(POLICY_NAME, Type.STRING, "demo", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Name of the policy; the key of its CheckpointPublished events.")
            .define(CHECKPOINT_DTYPE, Type.STRING, "f32", ConfigDef.ValidString.in("f32", "bf16"), Importance.MEDIUM,
                    "The dtype of the weights in published checkpoints: f32 (training is in fp32; a resumed trainer "
                            + "continues bit for bit) or bf16 (half the size, what inference servers load; a trainer "
                            + "resumed from it continues from the rounded weights).")
            .define(CHECKPOINT_DIR, Type.STRING, "checkpoints", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Folder of the trainer's checkpoints; a restarted trainer resumes from the newest complete one.")
            .define(KEEP, Type.INT, 5, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "How many of the newest checkpoints to keep.")
            .define(INIT, Type.STRING, "", Importance.HIGH,
                    "Checkpoint folder of the initial policy (version 0), used when the checkpoint folder is empty.")
            .define(LEARNING_RATE, Type.DOUBLE, RECIPE.learningRate(), ConfigDef.Range.between(1e-12, 1.0), Importance.HIGH,
                    "Peak AdamW learning rate of the policy update.")
            .define(WARMUP_STEPS, Type.INT, RECIPE.warmupSteps(), ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "Optimizer steps over which the learning rate rises linearly to its peak.")
            .define(DECAY_STEPS, Type.INT, RECIPE.decaySteps(), ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "Optimizer steps after warm-up over which the learning rate follows a cosine down to a tenth "
                            + "of its peak (0 = constant).")
            .define(UPDATES_PER_BATCH, Type.INT, RECIPE.updatesPerBatch(), ConfigDef.Range.between(1, 64),
                    Importance.MEDIUM, "Gradient steps taken on each batch (PPO epochs).")
            .define(CLIP_LOW, Type.DOUBLE, RECIPE.clipLow(), ConfigDef.Range.between(0.0, 1.0), Importance.MEDIUM,
                    "ε_low of the clipped surrogate: the ratio is clipped below at 1 − ε_low (PPO 0.2).")
            .define(CLIP_HIGH, Type.DOUBLE, RECIPE.clipHigh(), ConfigDef.Range.between(0.0, 10.0), Importance.MEDIUM,
                    "ε_high of the clipped surrogate: clipped above at 1 + ε_high (DAPO clip-higher 0.28).")
            .define(GRAD_CLIP, Type.DOUBLE, RECIPE.gradClip(), ConfigDef.Range.between(1e-6, 1e6), Importance.LOW,
                    "Largest global L2 norm of the gradient; larger gradients are scaled down.")
            .define(MAX_STEPS, Type.LONG, 0L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "Stop after this many training steps in total (0 = run until stopped).")
            .define(MODE, Type.STRING, EnumSetting.spelling(TrainerMode.RL), EnumSetting.validator(TrainerMode.class),
                    Importance.HIGH,
                    "What the trainer learns from: rl (batches on rl.training-batches, the policy loss), "
                            + "preference (pairs on rl.preference-pairs, DPO/IPO/RPO against the reference policy), "
                            + "sft (prompts with reference answers on rl.prompts, cross-entropy; warm starts), "
                            + "group (the groups of the batches on rl.training-batches, trainer.group.objective).")
            .define(MINI_BATCHES, Type.INT, OBJECTIVE.miniBatches(), ConfigDef.Range.between(1, 1024), Importance.MEDIUM,
                    "Mini-batches per batch: each of the trainer.updates.per.batch epochs takes one optimizer step "
                            + "per mini-batch.")
            .define(MICRO_BATCH_ROWS, Type.INT, OBJECTIVE.microBatchRows(), ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM,
                    "Most responses scored in one forward/backward pass (gradient accumulation): a mini-batch "
                            + "runs in micro-batches of this many rows, each weighted by its share, and takes one "
                            + "optimizer step, the same step as in one pass; bounds activation and logit memory for "
                            + "real models. Group mode splits by whole groups (at least one per micro-batch), "
                            + "preference mode by whole pairs (rows / 2 pairs, at least one). 0 = the whole "
                            + "mini-batch at once.")
            .define(MAX_LOGIT_ELEMENTS, Type.LONG, OBJECTIVE.maxLogitElements(), ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM,
                    "Most fp32 logits (rows x response positions x vocabulary) one scoring pass holds at once; "
                            + "a pass that would hold more runs the output head over chunks of response positions "
                            + "sized to stay under it (trainer-service/README.md#memory; training then computes the "
                            + "head twice). The default 2^26 is 256 MiB. 0 = always the whole head at once.")
            .define(DUAL_CLIP, Type.DOUBLE, RECIPE.dualClip(), Importance.LOW,
                    "c of the dual clip for negative advantages (loss at most -A*c); <= 1 turns it off.")
            .define(POLICY_LOSS, Type.STRING, RECIPE.policyLoss(), PolicyLosses.FAMILY.validator(), Importance.MEDIUM,
                    "Policy loss of rl mode: ppo-clip (PPO's clipped surrogate with DAPO's clip-higher "
                            + "trainer.clip.epsilon.high and the dual clip trainer.clip.dual; verl compute_policy_loss), "
                            + "gspo (one length-normalised ratio per sequence, clipped by trainer.gspo.clip.low/.high; "
                            + "verl compute_policy_loss_gspo).")
            .define(AGGREGATION, Type.STRING, "token-mean", LossAggregations.FAMILY.validator(), Importance.MEDIUM,
                    "How token losses become one number: token-mean (DAPO), seq-mean-token-mean (GRPO), "
                            + "seq-mean-token-sum-norm (Dr.GRPO). Unset with trainer.policy.loss=gspo: seq-mean-token-mean "
                            + "(verl's GSPO).")
            .define(LOSS_MAX_LENGTH, Type.INT, 0, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "The constant L of seq-mean-token-sum-norm (Dr.GRPO divides by rows * L); 0 takes the "
                            + "generation limit each sample was produced with (its max_new_tokens), and the "
                            + "batch's longest response only for samples that predate that field.")
            .define(WEIGHT_DECAY, Type.DOUBLE, RECIPE.weightDecay(), ConfigDef.Range.atLeast(0), Importance.LOW,
                    "AdamW decoupled weight decay.")
            .define(TEMPERATURE, Type.DOUBLE, RECIPE.temperature(), ConfigDef.Range.between(1e-6, 100), Importance.LOW,
                    "Temperature for samples that do not carry the one they were generated with (recorded before Rollout.temperature existed); every other sample is scored at its own.")
            .define(KL_ESTIMATOR, Type.STRING, "k3", KlEstimators.FAMILY.validator(), Importance.MEDIUM,
                    "Estimator of KL(pi_theta || pi_ref) per token, d = log pi - log pi_ref: k1 = d, k2 = d^2/2, "
                            + "k3 = exp(-d) + d - 1.")
            .define(KL_COEF, Type.DOUBLE, OBJECTIVE.klCoef(), ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "beta of the KL term to the frozen reference policy; 0 (DAPO) turns it off, 0.001 is GRPO's.")
            .define(KL_PLACEMENT, Type.STRING, EnumSetting.spelling(OBJECTIVE.klPlacement()),
                    EnumSetting.validator(Objective.KlPlacement.class), Importance.MEDIUM,
                    "Where the KL enters: loss (beta * token-mean KL added to the loss) or reward (each token's "
                            + "advantage loses beta times the reward-to-go of the per-token KL penalty).")
            .define(KL_TARGET, Type.DOUBLE, OBJECTIVE.klTarget(), ConfigDef.Range.atLeast(0), Importance.LOW,
                    "Target KL of the adaptive coefficient (Ziegler et al.; 0.1 typical); 0 keeps beta fixed.")
            .define(KL_HORIZON, Type.LONG, OBJECTIVE.klHorizon(), ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Horizon of the adaptive KL controller, in samples.")
            .define(ENTROPY_COEF, Type.DOUBLE, OBJECTIVE.entropyCoef(), ConfigDef.Range.atLeast(0), Importance.LOW,
                    "Weight of the entropy bonus (token mean of the policy's entropy subtracted from the loss).")
            .define(DECOUPLED, Type.BOOLEAN, OBJECTIVE.decoupled(), Importance.MEDIUM,
                    "Decoupled PPO (AReaL): recompute pi_prox with the weights at the start of each step, clip "
                            + "pi_theta/pi_prox, and weight each token by pi_prox/pi_behav. Off: clip pi_theta/pi_behav.")
            .define(CORRECTION, Type.STRING, "tis", OffPolicyCorrections.FAMILY.validator(), Importance.MEDIUM,
                    "What happens to the behaviour weight pi_prox/pi_behav: none (used as is), tis (truncated at "
                            + "trainer.offpolicy.cap), mis (tokens or sequences outside [lower, upper] masked; IcePop).")
            .define(CORRECTION_LEVEL, Type.STRING, EnumSetting.spelling(OBJECTIVE.correctionLevel()),
                    EnumSetting.validator(ImportanceCorrection.Level.class), Importance.LOW,
                    "Behaviour weight per token, or per sequence (the product of its token ratios).")
            .define(CORRECTION_CAP, Type.DOUBLE, OBJECTIVE.correctionCap(), ConfigDef.Range.atLeast(1e-6), Importance.LOW,
                    "C of truncated importance sampling.")
            .define(CORRECTION_LOWER, Type.DOUBLE, OBJECTIVE.correctionLower(), ConfigDef.Range.atLeast(0), Importance.LOW,
                    "Lower bound of masked importance sampling.")
            .define(CORRECTION_UPPER, Type.DOUBLE, OBJECTIVE.correctionUpper(), ConfigDef.Range.atLeast(0), Importance.LOW,
                    "Upper bound of masked importance sampling.")
            .define(REFERENCE, Type.STRING, "", Importance.MEDIUM,
                    "Checkpoint folder of the frozen reference policy (KL term, preference losses); empty means "
                            + "version 0 of this trainer's checkpoints (the initial policy).")
            .define(PREFERENCE_LOSS, Type.STRING, "dpo", PreferenceLosses.FAMILY.validator(), Importance.MEDIUM,
                    "Preference loss in preference mode: dpo, ipo (length-averaged log-probs), rpo (DPO + alpha * "
                            + "NLL of the chosen response per token).")
            .define(PREFERENCE_BETA, Type.DOUBLE, PreferenceLoss.DEFAULT_BETA, ConfigDef.Range.atLeast(1e-9), Importance.MEDIUM,
                    "beta of the preference loss, and of LiPO-lambda's implicit reward in group mode.")
            .define(PREFERENCE_ALPHA, Type.DOUBLE, PreferenceLoss.DEFAULT_ALPHA, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "alpha of RPO's NLL term.")
            .define(PAIRS_PER_STEP, Type.INT, 32, ConfigDef.Range.between(1, 65536), Importance.MEDIUM,
                    "Preference pairs per optimizer step in preference mode.")
            .define(SFT_PROMPTS_PER_STEP, Type.INT, 64, ConfigDef.Range.between(1, 65536), Importance.MEDIUM,
                    "Prompts with reference answers per optimizer step in sft mode.")
            .define(GSPO_CLIP_LOW, Type.DOUBLE, SequenceClippedSurrogate.DEFAULT_CLIP_LOW, ConfigDef.Range.between(0.0, 1.0),
                    Importance.MEDIUM, "With trainer.policy.loss=gspo, epsilon_low of the sequence ratio (GSPO's 3e-4; "
                            + "trainer.clip.epsilon.low is ppo-clip's).")
            .define(GSPO_CLIP_HIGH, Type.DOUBLE, SequenceClippedSurrogate.DEFAULT_CLIP_HIGH, ConfigDef.Range.between(0.0, 10.0),
                    Importance.MEDIUM, "With trainer.policy.loss=gspo, epsilon_high of the sequence ratio (GSPO's 4e-4).")
            .define(GROUP_OBJECTIVE, Type.STRING, NegativeAwareFineTuning.NAME, GroupObjectives.FAMILY.validator(),
                    Importance.MEDIUM, "Objective of group mode, on whole scored groups from rl.training-batches: nft "
                            + "(negative-aware fine-tuning with the group's success rate) or lipo-lambda (listwise, "
                            + "lambda-weighted pairs against the reference policy, beta = trainer.preference.beta).")
            .define(NFT_REWARD_LOW, Type.DOUBLE, 0.0, Importance.LOW,
                    "NFT: the reward of an incorrect response (maps to correctness 0; NVlabs' rewards use -1).")
            .define(NFT_REWARD_HIGH, Type.DOUBLE, 1.0, Importance.LOW,
                    "NFT: the reward of a correct response (maps to correctness 1); rewards between are partly correct.");

    public TrainerServiceConfig(Map<?, ?> originals) {
        super(DEFINITION, originals);
        // Validated now, with the key named, rather than when the first batch arrives.
        try {
            trainerConfig();
            groupObjective();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("trainer settings", "", e.getMessage());
        }
        // The adaptive controller multiplies beta: starting from 0 it stays 0 and the target does nothing (issue 15).
        if (getDouble(KL_TARGET) > 0 && getDouble(KL_COEF) == 0) {
            throw new ConfigException(KL_TARGET, getDouble(KL_TARGET), "an adaptive KL target needs a starting "
                    + "coefficient: the controller multiplies beta, so with " + KL_COEF + " = 0 it stays 0 and the "
                    + "target does nothing; set " + KL_COEF + " to the initial beta (e.g. 0.001) or " + KL_TARGET
                    + " to 0");
        }
        if (getEnum(MODE, TrainerMode.class) == TrainerMode.GROUP && getDouble(KL_COEF) > 0) {
            // Group objectives have no KL term; rather refuse than silently train without it.
            throw new ConfigException(KL_COEF, getDouble(KL_COEF), "group mode has no KL term (LiPO-lambda is "
                    + "anchored to the reference policy by its own beta, trainer.preference.beta); set it to 0");
        }
    }

    /** trainer.checkpoint.dtype as the safetensors dtype. */
    public Dtype checkpointDtype() {
        return getString(CHECKPOINT_DTYPE).equals("bf16") ? Dtype.BF16 : Dtype.F32;
    }

    /** The policy update these settings describe. */
    public TrainerConfig trainerConfig() {
        Objective objective = OBJECTIVE
                .withKl(KlEstimators.FAMILY.create(getString(KL_ESTIMATOR), null), getDouble(KL_COEF),
                        getEnum(KL_PLACEMENT, Objective.KlPlacement.class))
                .withAdaptiveKl(getDouble(KL_TARGET), getLong(KL_HORIZON))
                .withEntropyCoef(getDouble(ENTROPY_COEF))
                .withCorrection(getBoolean(DECOUPLED),
                        OffPolicyCorrections.FAMILY.create(getString(CORRECTION), null),
                        getEnum(CORRECTION_LEVEL, ImportanceCorrection.Level.class),
                        getDouble(CORRECTION_CAP), getDouble(CORRECTION_LOWER), getDouble(CORRECTION_UPPER))
                .withMiniBatches(getInt(MINI_BATCHES))
                .withMicroBatchRows(getInt(MICRO_BATCH_ROWS))
                .withMaxLogitElements(getLong(MAX_LOGIT_ELEMENTS));
        TrainerConfig config = new TrainerConfig(getDouble(LEARNING_RATE), getInt(WARMUP_STEPS), getInt(DECAY_STEPS),
                getDouble(CLIP_LOW), getDouble(CLIP_HIGH), getDouble(DUAL_CLIP), getDouble(GRAD_CLIP),
                getDouble(WEIGHT_DECAY), getInt(UPDATES_PER_BATCH), getDouble(TEMPERATURE),
                getString(POLICY_LOSS), LossAggregations.FAMILY.create(getString(AGGREGATION), null),
                true, objective);
        return withGspoDefaults(config);
    }

    /**
     * GSPO clips its sequence ratio by its own range (3e-4/4e-4, not ppo-clip's 0.2/0.28) and, as
     * verl, aggregates seq-mean-token-mean unless trainer.loss.aggregation is given
     * (docs/algorithms.md#policy-losses).
     */
    private TrainerConfig withGspoDefaults(TrainerConfig config) {
        if (!SequenceClippedSurrogate.NAME.equals(config.policyLoss())) {
            return config;
        }
        TrainerConfig clipped = config.withClip(getDouble(GSPO_CLIP_LOW), getDouble(GSPO_CLIP_HIGH));
        return originals().containsKey(AGGREGATION) ? clipped
                : clipped.withAggregation(PolicyLoss.Aggregation.SEQ_MEAN_TOKEN_MEAN);
    }

    /** The objective of group mode (docs/algorithms.md#group-objectives). */
    public GroupObjective groupObjective() {
        PolicyLoss.Aggregation aggregation = trainerConfig().aggregation();
        return GroupObjectives.FAMILY.create(getString(GROUP_OBJECTIVE), new GroupObjectives.Settings(
                getDouble(PREFERENCE_BETA), getDouble(NFT_REWARD_LOW), getDouble(NFT_REWARD_HIGH), aggregation::apply));
    }

    /** The preference loss of preference mode. */
    public PreferenceLoss preferenceLoss() {
        return PreferenceLosses.FAMILY.create(getString(PREFERENCE_LOSS),
                new PreferenceLosses.Weights(getDouble(PREFERENCE_BETA), getDouble(PREFERENCE_ALPHA)));
    }
}
