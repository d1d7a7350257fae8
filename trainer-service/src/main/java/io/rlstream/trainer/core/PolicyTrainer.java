package io.rlstream.trainer.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.rlstream.model.Policy;
import io.rlstream.model.TokenLogprobs;
import java.util.ArrayList;
import java.util.List;

/**
 * Updates a {@link Policy} in place: RL steps with the {@link PolicyLoss clipped surrogate} and
 * supervised (cross-entropy) steps for the warm start. Holds the AdamW state, so keep one trainer
 * per policy for the whole run.
 *
 * <p>Each update: teacher-forced forward of all responses in one padded batch, backward, global
 * gradient-norm clipping (DJL's optimizer only clips element-wise), AdamW, gradients zeroed (DJL's
 * PyTorch engine accumulates them across backward calls).
 */
public final class PolicyTrainer {

    private final Policy policy;
    private final TrainerConfig config;
    private final PolicyLoss loss;
    private final Optimizer optimizer;
    private final List<Parameter> parameters = new ArrayList<>();

    public PolicyTrainer(Policy policy, TrainerConfig config) {
        this.policy = policy;
        this.config = config;
        this.loss = new PolicyLoss(config.clipLow(), config.clipHigh(), config.dualClip(),
                config.aggregation());
        this.optimizer = Optimizer.adamW()
                .optLearningRateTracker(learningRateSchedule(config))
                .optWeightDecays((float) config.weightDecay())
                .build();
        for (Pair<String, Parameter> entry : policy.parameters()) {
            if (entry.getValue().requiresGradient()) {
                parameters.add(entry.getValue());
            }
        }
    }

    /**
     * {@link TrainerConfig#updatesPerBatch()} gradient steps of the clipped surrogate on one
     * batch. Samples whose tokens are all masked (truncated ones under overlong filtering) do not
     * count; a batch with no token left is skipped and reported with zero tokens.
     */
    public StepStats rlStep(List<TrainingSample> batch) {
        long start = System.nanoTime();
        List<int[]> prompts = new ArrayList<>(batch.size());
        List<int[]> responses = new ArrayList<>(batch.size());
        int width = 0;
        for (TrainingSample sample : batch) {
            prompts.add(sample.promptTokens());
            responses.add(sample.responseTokens());
            width = Math.max(width, sample.responseTokens().length);
        }
        float[] old = new float[batch.size() * width];
        float[] advantages = new float[batch.size()];
        float[] keep = new float[batch.size()];
        for (int b = 0; b < batch.size(); b++) {
            TrainingSample sample = batch.get(b);
            System.arraycopy(sample.behaviourLogprobs(), 0, old, b * width,
                    sample.behaviourLogprobs().length);
            advantages[b] = sample.advantage();
            keep[b] = config.maskTruncated() && sample.truncated() ? 0f : 1f;
        }
        double lossSum = 0;
        double clipSum = 0;
        double ratioSum = 0;
        double gradNorm = 0;
        long tokens = 0;
        for (int update = 0; update < config.updatesPerBatch(); update++) {
            try (NDManager scope = policy.newScope()) {
                NDArray oldArray = scope.create(old, new Shape(batch.size(), width));
                NDArray advantageArray = scope.create(advantages, new Shape(batch.size(), 1));
                NDArray keepArray = scope.create(keep, new Shape(batch.size(), 1));
                PolicyLoss.Result result;
                try (GradientCollector collector = newGradientCollector()) {
                    TokenLogprobs scored = policy.responseLogprobs(scope, prompts, responses,
                            (float) config.temperature(), true);
                    NDArray mask = scored.mask().mul(keepArray);
                    tokens = (long) mask.sum().getFloat();
                    if (tokens == 0) {
                        return new StepStats(0, 0, 1, 0, 0, elapsedMillis(start));
                    }
                    result = loss.compute(scored.logprobs(), oldArray, advantageArray, mask);
                    collector.backward(result.loss());
                }
                lossSum += result.loss().getFloat();
                clipSum += result.clipFraction();
                ratioSum += result.meanRatio();
                gradNorm = applyGradients(scope);
            }
        }
        int updates = config.updatesPerBatch();
        return new StepStats(lossSum / updates, clipSum / updates, ratioSum / updates, gradNorm,
                tokens, elapsedMillis(start));
    }

    /**
     * One gradient step of cross-entropy on the target tokens only (the prompt is context, not a
     * prediction target), averaged over target tokens.
     *
     * @param prompts prompt tokens (BOS first)
     * @param targets the tokens the policy should produce after each prompt, EOS included
     * @return the loss before the update
     */
    public double supervisedStep(List<int[]> prompts, List<int[]> targets) {
        try (NDManager scope = policy.newScope()) {
            NDArray objective;
            try (GradientCollector collector = newGradientCollector()) {
                TokenLogprobs scored = policy.responseLogprobs(scope, prompts, targets, 1f, true);
                objective = scored.logprobs().sum().neg().div(scored.mask().sum());
                collector.backward(objective);
            }
            double value = objective.getFloat();
            applyGradients(scope);
            return value;
        }
    }

    public Policy policy() {
        return policy;
    }

    public TrainerConfig config() {
        return config;
    }

    /** Linear warm-up, then constant or cosine decay to a tenth (see {@link TrainerConfig}). */
    private static Tracker learningRateSchedule(TrainerConfig config) {
        float peak = (float) config.learningRate();
        Tracker main = config.decaySteps() == 0
                ? Tracker.fixed(peak)
                : Tracker.cosine().setBaseValue(peak).optFinalValue(peak / 10)
                        .setMaxUpdates(config.decaySteps()).build();
        if (config.warmupSteps() == 0) {
            return main;
        }
        return Tracker.warmUp()
                .setMainTracker(main)
                .optWarmUpSteps(config.warmupSteps())
                .optWarmUpBeginValue(0f)
                .build();
    }

    private GradientCollector newGradientCollector() {
        return policy.model().getNDManager().getEngine().newGradientCollector();
    }

    /**
     * Clips the gradients to {@link TrainerConfig#gradClip()} global norm, applies AdamW and zeroes
     * them. Runs after the gradient collector is closed, so the in-place updates are not recorded.
     *
     * @return the global gradient norm before clipping
     */
    private double applyGradients(NDManager scope) {
        List<NDArray> gradients = new ArrayList<>(parameters.size());
        double squares = 0;
        for (Parameter parameter : parameters) {
            NDArray gradient = parameter.getArray().getGradient();
            gradient.attach(scope); // the handle, not the gradient buffer, is freed with the scope
            gradients.add(gradient);
            squares += gradient.square().sum().getFloat();
        }
        double norm = Math.sqrt(squares);
        float scale = norm > config.gradClip() ? (float) (config.gradClip() / norm) : 1f;
        for (int i = 0; i < parameters.size(); i++) {
            NDArray gradient = gradients.get(i);
            if (scale < 1f) {
                gradient.muli(scale);
            }
            optimizer.update(parameters.get(i).getId(), parameters.get(i).getArray(), gradient);
            gradient.subi(gradient);
        }
        return norm;
    }

    private static long elapsedMillis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
