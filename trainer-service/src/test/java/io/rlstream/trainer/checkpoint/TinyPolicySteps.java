package io.rlstream.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.model.TokenLogprobs;
import io.rlstream.trainer.core.AdamW;
import io.rlstream.trainer.core.AnswerTokens;
import java.util.List;

/**
 * A policy small enough that a checkpoint is ~60 kB and a step a few milliseconds, and the
 * supervised step the checkpoint tests train it with, so that optimizer state and weights have
 * moved away from their initial values before they are written.
 */
public final class TinyPolicySteps {

    public static final CharTokenizer TOKENIZER = AnswerTokens.TOKENIZER;
    public static final PolicyConfig SMALL = new PolicyConfig(TOKENIZER.vocabSize(), 16, 32, 1, 2, 64);
    /** {@code 12+34=} and {@code 5+7=}, trained towards {@code 46} and {@code 12}. */
    public static final List<int[]> PROMPTS = List.of(TOKENIZER.encodePrompt("12+34="), TOKENIZER.encodePrompt("5+7="));
    private static final List<int[]> TARGETS = List.of(AnswerTokens.of("46"), AnswerTokens.of("12"));

    private TinyPolicySteps() {}

    /** One step of mean negative log-likelihood of {@link #PROMPTS}' targets with {@code optimizer}. */
    public static void step(Policy policy, AdamW optimizer, float learningRate) {
        try (NDManager scope = policy.newScope()) {
            try (GradientCollector collector = policy.model().getNDManager().getEngine().newGradientCollector()) {
                TokenLogprobs scored = policy.responseLogprobs(scope, PROMPTS, TARGETS, 1f, true);
                collector.backward(scored.logprobs().sum().neg().div(scored.mask().sum()));
            }
            for (Pair<String, Parameter> p : policy.parameters()) {
                NDArray weight = p.getValue().getArray();
                NDArray gradient = weight.getGradient();
                gradient.attach(scope);
                optimizer.update(p.getKey(), weight, gradient, learningRate);
                gradient.subi(gradient);
            }
        }
    }
}
