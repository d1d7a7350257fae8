package io.rlstream.trainer.core;

import java.util.function.Consumer;

/**
 * Settings of {@link PolicyTrainer}. {@link #defaults()} is the recipe tuned for the addition demo
 * (see model/README.md for the measurements).
 *
 * @param learningRate AdamW step size
 * @param warmupSteps optimizer steps over which the learning rate rises linearly to
 *     {@code learningRate}; a fresh Adam's first steps move every weight by ±lr whatever the size
 *     of its gradient, which noisy RL gradients turn into a collapse (see model/README.md)
 * @param decaySteps optimizer steps after warm-up over which the learning rate follows a cosine
 *     down to a tenth of {@code learningRate} and then stays there; 0 keeps it constant (at a
 *     constant rate the demo's held-out accuracy swung by ±10 points once above 70%)
 * @param clipLow ε_low of the clipped surrogate (PPO 0.2)
 * @param clipHigh ε_high (DAPO clip-higher 0.28, arXiv 2503.14476)
 * @param dualClip c of the dual clip for A &lt; 0 (verl's default 3); ≤ 1 disables it
 * @param gradClip largest global L2 norm of the gradient; larger gradients are scaled down
 * @param weightDecay AdamW decoupled weight decay (Loshchilov and Hutter, arXiv 1711.05101)
 * @param updatesPerBatch gradient steps taken on each batch (PPO epochs); 1 is on-policy GRPO,
 *     later ones are off-policy and the clip bounds them
 * @param temperature temperature the samples were drawn at; π_θ is scored at the same one
 * @param policyLoss the policy loss, a {@link PolicyLosses} name ({@code ppo-clip})
 * @param aggregation how token losses are combined (docs/algorithms.md#policy-losses)
 * @param maskTruncated mask responses the batch marks as truncated out of the loss (DAPO overlong
 *     filtering; the processors mark them when their setting filter.overlong is on)
 * @param objective KL, entropy, off-policy correction and mini-batches ({@link Objective})
 */
public record TrainerConfig(double learningRate, int warmupSteps, int decaySteps, double clipLow,
        double clipHigh, double dualClip, double gradClip, double weightDecay, int updatesPerBatch,
        double temperature, String policyLoss, PolicyLoss.Aggregation aggregation, boolean maskTruncated, Objective objective) {

    public TrainerConfig {
        require(learningRate > 0, "learningRate must be > 0", learningRate);
        require(warmupSteps >= 0, "warmupSteps must be >= 0", warmupSteps);
        require(decaySteps >= 0, "decaySteps must be >= 0", decaySteps);
        require(clipLow >= 0 && clipLow < 1, "clipLow must be in [0, 1)", clipLow);
        require(clipHigh >= 0, "clipHigh must be >= 0", clipHigh);
        require(gradClip > 0, "gradClip must be > 0", gradClip);
        require(weightDecay >= 0, "weightDecay must be >= 0", weightDecay);
        require(updatesPerBatch >= 1, "updatesPerBatch must be >= 1", updatesPerBatch);
        require(temperature > 0, "temperature must be > 0", temperature);
        if (!PolicyLosses.FAMILY.contains(policyLoss)) {
            throw new IllegalArgumentException("unknown policy loss '" + policyLoss + "'; known: "
                    + String.join(", ", PolicyLosses.FAMILY.names()));
        }
        if (aggregation == null || objective == null) {
            throw new IllegalArgumentException("a loss aggregation and an objective are required");
        }
    }

    /**
     * The RL recipe tuned for {@code PolicyConfig.demo()} on the addition task: learning rate
     * 1e-4 (the qwen3-architecture demo policy learns as fast at 1e-4 as at 3e-4; the llama one
     * before it collapsed at 3e-4, and the GPT-style one before that took 3e-4; see model/README.md), 10 warm-up steps, cosine decay over 300 steps, 2
     * updates per batch (4 plateaued near 60% as groups lost diversity), PPO/DAPO clips 0.2/0.28,
     * dual clip 3, gradient norm 1, no weight decay, temperature 1, the clipped surrogate (ppo-clip), token-mean, responses the
     * batch marks as truncated masked, and {@link Objective#defaults()}.
     */
    public static TrainerConfig defaults() {
        return new TrainerConfig(1e-4, 10, 300, 0.2, 0.28, 3.0, 1.0, 0.0, 2, 1.0,
                ClippedSurrogate.NAME, PolicyLoss.Aggregation.TOKEN_MEAN, true, Objective.defaults());
    }

    public TrainerConfig withObjective(Objective value) {
        return with(c -> c.objective = value);
    }

    public TrainerConfig withAggregation(PolicyLoss.Aggregation value) {
        return with(c -> c.aggregation = value);
    }

    /** The policy loss registered under {@code name} in {@link PolicyLosses}. */
    public TrainerConfig withPolicyLoss(String name) {
        return with(c -> c.policyLoss = name);
    }

    public TrainerConfig withDualClip(double value) {
        return with(c -> c.dualClip = value);
    }

    public TrainerConfig withLearningRate(double value) {
        return with(c -> c.learningRate = value);
    }

    public TrainerConfig withWarmupSteps(int value) {
        return with(c -> c.warmupSteps = value);
    }

    public TrainerConfig withDecaySteps(int value) {
        return with(c -> c.decaySteps = value);
    }

    public TrainerConfig withClip(double low, double high) {
        return with(c -> {
            c.clipLow = low;
            c.clipHigh = high;
        });
    }

    public TrainerConfig withGradClip(double value) {
        return with(c -> c.gradClip = value);
    }

    public TrainerConfig withWeightDecay(double value) {
        return with(c -> c.weightDecay = value);
    }

    public TrainerConfig withUpdatesPerBatch(int value) {
        return with(c -> c.updatesPerBatch = value);
    }

    /** A copy with {@code change} applied to its fields, validated like any new config. */
    private TrainerConfig with(Consumer<Fields> change) {
        Fields fields = new Fields(this);
        change.accept(fields);
        return fields.build();
    }

    /** The fields of a config being copied: each wither changes some, then {@link #build()}. */
    private static final class Fields {
        double learningRate;
        int warmupSteps;
        int decaySteps;
        double clipLow;
        double clipHigh;
        double dualClip;
        double gradClip;
        double weightDecay;
        int updatesPerBatch;
        double temperature;
        String policyLoss;
        PolicyLoss.Aggregation aggregation;
        boolean maskTruncated;
        Objective objective;

        Fields(TrainerConfig c) {
            learningRate = c.learningRate;
            warmupSteps = c.warmupSteps;
            decaySteps = c.decaySteps;
            clipLow = c.clipLow;
            clipHigh = c.clipHigh;
            dualClip = c.dualClip;
            gradClip = c.gradClip;
            weightDecay = c.weightDecay;
            updatesPerBatch = c.updatesPerBatch;
            temperature = c.temperature;
            policyLoss = c.policyLoss;
            aggregation = c.aggregation;
            maskTruncated = c.maskTruncated;
            objective = c.objective;
        }

        TrainerConfig build() {
            return new TrainerConfig(learningRate, warmupSteps, decaySteps, clipLow, clipHigh, dualClip,
                    gradClip, weightDecay, updatesPerBatch, temperature, policyLoss, aggregation, maskTruncated,
                    objective);
        }
    }

    private static void require(boolean ok, String message, double value) {
        if (!ok) {
            throw new IllegalArgumentException(message + ", got " + value);
        }
    }
}
