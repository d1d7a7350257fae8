package io.rlstream.trainer.service;

import io.rlstream.config.ServiceConfig;
import io.rlstream.trainer.core.TrainerConfig;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of the trainer service; see {@link ServiceConfig} for the shared keys and sources. */
public final class TrainerServiceConfig extends ServiceConfig {

    public static final String POLICY_NAME = "policy.name";
    public static final String CHECKPOINT_DIR = "trainer.checkpoint.dir";
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

    /** Defaults of the policy update: the recipe tuned for the demo (trainer-service/README.md). */
    private static final TrainerConfig RECIPE = TrainerConfig.defaults();

    public static final ConfigDef DEFINITION = ServiceConfig.baseDef()
            .define(POLICY_NAME, Type.STRING, "demo", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Name of the policy; the key of its CheckpointPublished events.")
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
                    "Stop after this many training steps in total (0 = run until stopped).");

    public TrainerServiceConfig(Map<?, ?> originals) {
        super(DEFINITION, originals);
    }
}
