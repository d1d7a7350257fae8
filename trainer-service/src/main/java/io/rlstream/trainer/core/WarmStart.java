package io.rlstream.trainer.core;

import io.rlstream.model.Policy;
import io.rlstream.model.task.AdditionTask;
import io.rlstream.model.task.Problem;
import io.rlstream.model.tokenizer.HfTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The short supervised phase before RL: cross-entropy on "prompt → answer EOS" over a subset of
 * the training problems, stopped on purpose while the policy is still weak, so that it knows the
 * format and part of the skill and RL has room to show a gain.
 *
 * <p>Why a stopping rule rather than a fixed step count: supervised training of this task goes
 * through a sharp transition (held-out accuracy jumps from ~10% to ~40% within ~50 steps) whose
 * position moves by hundreds of steps with the seed and even with floating-point noise (oneDNN
 * kernels are not bitwise reproducible across runs, and training amplifies the difference). So
 * the warm start trains until greedy accuracy on a <em>probe</em> set reaches the target, checking
 * every few steps. The probe problems come from the training split but are not among the problems
 * trained on; the held-out split is never looked at.
 */
public final class WarmStart {

    /**
     * @param subsetSize training problems the warm start learns from (the first ones of the split)
     * @param probeSize training problems after the subset, used only for the stopping rule
     * @param batchSize problems per supervised step
     * @param learningRate AdamW step size for this phase
     * @param targetAccuracy stop once probe greedy accuracy reaches this
     * @param checkEvery steps between probe evaluations
     * @param maxSteps give up (and return what there is) after this many steps
     */
    public record Recipe(int subsetSize, int probeSize, int batchSize, double learningRate,
            double targetAccuracy, int checkEvery, int maxSteps) {

        /** Tuned for {@code PolicyConfig.demo()} on the addition task (model/README.md). */
        public static Recipe demo() {
            return new Recipe(2000, 400, 64, 1e-3, 0.2, 5, 3000);
        }
    }

    /**
     * @param steps supervised steps taken
     * @param loss supervised loss of the last step
     * @param probeAccuracy probe greedy accuracy when it stopped
     * @param millis wall-clock time
     */
    public record Result(int steps, double loss, double probeAccuracy, long millis) {}

    private WarmStart() {}

    /**
     * Runs the recipe on {@code policy}; deterministic for a seed up to floating-point noise.
     * Prompts and answers are encoded with the policy's own tokenizer (prompts as the rollout
     * worker encodes them, {@link AdditionTask#encodePrompt}); every target ends with the policy's
     * first stop id (its EOS), as the trainer's sft mode does.
     *
     * @param train the training split (fixed order); its first subsetSize + probeSize problems
     *     are used
     * @throws IllegalArgumentException when the split is too small or the policy has no stop id
     */
    public static Result run(Policy policy, Recipe recipe, List<Problem> train, long seed) {
        long start = System.nanoTime();
        int needed = recipe.subsetSize() + recipe.probeSize();
        if (train.size() < needed) {
            throw new IllegalArgumentException(
                    "recipe needs " + needed + " training problems, got " + train.size());
        }
        List<Problem> probe = train.subList(recipe.subsetSize(), needed);
        List<int[]> prompts = new ArrayList<>(recipe.subsetSize());
        List<int[]> targets = new ArrayList<>(recipe.subsetSize());
        HfTokenizer tokenizer = policy.tokenizer();
        int eos = endOfSequence(policy);
        for (Problem problem : train.subList(0, recipe.subsetSize())) {
            prompts.add(AdditionTask.encodePrompt(tokenizer, problem));
            targets.add(AdditionTask.encodeTarget(tokenizer, problem, eos));
        }
        PolicyTrainer trainer = new PolicyTrainer(policy,
                TrainerConfig.defaults().withLearningRate(recipe.learningRate()).withDecaySteps(0));
        Random random = new Random(seed);
        double loss = Double.NaN;
        double accuracy = 0;
        int step = 0;
        while (step < recipe.maxSteps()) {
            List<int[]> batchPrompts = new ArrayList<>(recipe.batchSize());
            List<int[]> batchTargets = new ArrayList<>(recipe.batchSize());
            for (int i = 0; i < recipe.batchSize(); i++) {
                int pick = random.nextInt(prompts.size());
                batchPrompts.add(prompts.get(pick));
                batchTargets.add(targets.get(pick));
            }
            loss = trainer.supervisedStep(batchPrompts, batchTargets);
            step++;
            if (step % recipe.checkEvery() == 0) {
                accuracy = AdditionTask.greedyAccuracy(policy, probe);
                if (accuracy >= recipe.targetAccuracy()) {
                    break;
                }
            }
        }
        return new Result(step, loss, accuracy, (System.nanoTime() - start) / 1_000_000);
    }

    /** The id that ends every target: the policy's first stop id (generation_config.json's eos, else config.json's). */
    static int endOfSequence(Policy policy) {
        int[] stops = policy.stopTokenIds();
        if (stops.length == 0) {
            throw new IllegalArgumentException("the warm start ends every answer with end-of-sequence, but the model's"
                    + " generation_config.json and config.json give no eos_token_id");
        }
        return stops[0];
    }
}
