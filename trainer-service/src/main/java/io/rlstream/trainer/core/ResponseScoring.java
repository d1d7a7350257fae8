package io.rlstream.trainer.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.rlstream.model.Policy;
import io.rlstream.model.TokenLogprobs;
import io.rlstream.model.decoder.ResponseScorer;
import java.util.List;
import java.util.function.Function;

/**
 * How the trainer scores responses under a policy within a memory bound: the whole output head at
 * once ({@link Policy#responseLogprobs}: rows × R × vocab fp32 logits with their graph, and as
 * many again for the entropy) while that stays within {@link Objective#maxLogitElements()}, else
 * chunk by chunk over the response positions ({@link ResponseScorer}, chunk length
 * {@link ResponseScorer#chunkFor}), which computes the head twice when training. Both give the
 * loss the same {@link TokenLogprobs}; the trainer's losses do not know which ran.
 */
final class ResponseScoring {

    private final long maxLogitElements;
    private long chunkedPasses;

    /** @param maxLogitElements the bound; 0 = always the whole head */
    ResponseScoring(long maxLogitElements) {
        this.maxLogitElements = maxLogitElements;
    }

    /** Whether {@code rows} responses of up to {@code width} tokens go through the head in chunks. */
    boolean chunked(int rows, int width, int vocab) {
        return maxLogitElements > 0 && (long) rows * width * vocab > maxLogitElements;
    }

    /**
     * Log-probabilities without gradient, (B, R) with R = max(1, longest response), in {@code scope},
     * scored {@code microRows} rows at a time (0 = all at once), so that a no-gradient pass (π_prox,
     * π_ref) holds no more activations than a training micro-batch. The entropy only from one pass
     * through the whole head (else null: no caller of constants reads it).
     */
    TokenLogprobs constants(Policy policy, NDManager scope, List<int[]> prompts, List<int[]> responses,
            float[] temperatures, int microRows) {
        int n = responses.size();
        if (microRows <= 0 || microRows >= n) {
            return constants(policy, scope, prompts, responses, temperatures);
        }
        int width = width(responses);
        float[] values = new float[n * width];
        float[] mask = new float[n * width];
        for (int m0 = 0; m0 < n; m0 += microRows) {
            int m1 = Math.min(n, m0 + microRows);
            try (NDManager micro = scope.newSubManager()) {
                TokenLogprobs part = constants(policy, micro, prompts.subList(m0, m1), responses.subList(m0, m1),
                        java.util.Arrays.copyOfRange(temperatures, m0, m1));
                int w = (int) part.logprobs().getShape().get(1);
                float[] v = part.logprobs().toFloatArray();
                float[] k = part.mask().toFloatArray();
                for (int r = m0; r < m1; r++) {
                    System.arraycopy(v, (r - m0) * w, values, r * width, w);
                    System.arraycopy(k, (r - m0) * w, mask, r * width, w);
                }
            }
        }
        Shape shape = new Shape(n, width);
        return new TokenLogprobs(scope.create(values, shape), scope.create(mask, shape), null);
    }

    /** {@link #constants(Policy, NDManager, List, List, float[], int)} in one pass. */
    private TokenLogprobs constants(Policy policy, NDManager scope, List<int[]> prompts, List<int[]> responses,
            float[] temperatures) {
        int width = width(responses);
        int vocab = policy.config().vocabSize();
        if (!chunked(responses.size(), width, vocab)) {
            return policy.responseLogprobs(scope, prompts, responses, temperatures, false);
        }
        checkContext(policy, prompts, width);
        chunkedPasses++;
        int chunk = ResponseScorer.chunkFor(maxLogitElements, responses.size(), vocab);
        float[][] rows = new ResponseScorer(policy.decoderModel(), chunk).score(prompts, responses, temperatures);
        float[] values = new float[rows.length * width];
        float[] mask = new float[rows.length * width];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, values, r * width, rows[r].length);
            java.util.Arrays.fill(mask, r * width, r * width + rows[r].length, 1f);
        }
        Shape shape = new Shape(rows.length, width);
        return new TokenLogprobs(scope.create(values, shape), scope.create(mask, shape), null);
    }

    /**
     * Scores the responses with gradient and adds the gradient of {@code loss} to the policy's
     * parameter gradients (they accumulate until the optimizer step zeroes them). {@code loss} gets
     * log-probs, mask and entropy (B, R); it must read every number it needs from its arrays before
     * it returns (the chunked path closes them). Grad mode is switched on for the call only.
     *
     * @param entropy whether the loss reads the entropy (chunked: NONE gives it null) and
     *     differentiates it (GRADIENT, an entropy bonus); the whole head always gives it with its graph
     * @return the loss value
     */
    double backward(Policy policy, List<int[]> prompts, List<int[]> responses, float[] temperatures,
            ResponseScorer.Entropy entropy, Function<TokenLogprobs, NDArray> loss) {
        int width = width(responses);
        int vocab = policy.config().vocabSize();
        if (!chunked(responses.size(), width, vocab)) {
            try (NDManager scope = policy.newScope();
                 GradientCollector collector = policy.model().getNDManager().getEngine().newGradientCollector()) {
                NDArray value = loss.apply(policy.responseLogprobs(scope, prompts, responses, temperatures, true));
                collector.backward(value);
                return value.getFloat();
            }
        }
        checkContext(policy, prompts, width);
        chunkedPasses++;
        int chunk = ResponseScorer.chunkFor(maxLogitElements, responses.size(), vocab);
        return new ResponseScorer(policy.decoderModel(), chunk).backward(prompts, responses, temperatures,
                entropy, (lp, h, mask) -> loss.apply(new TokenLogprobs(lp, mask, h))).loss();
    }

    /** The check {@link Policy#responseLogprobs} makes: the longest prompt and response fit the context. */
    private static void checkContext(Policy policy, List<int[]> prompts, int width) {
        int longest = 0;
        for (int[] p : prompts) {
            longest = Math.max(longest, p.length);
        }
        if (longest + width > policy.contextLength()) {
            throw new IllegalArgumentException("longest prompt (" + longest + " tokens) plus " + width
                    + " new tokens exceeds the context length " + policy.contextLength());
        }
    }

    /** How many passes so far ran the head in chunks (tests check that a bound took effect). */
    long chunkedPasses() {
        return chunkedPasses;
    }

    /** The padded width both paths use: the longest response, at least 1. */
    static int width(List<int[]> responses) {
        int width = 1;
        for (int[] r : responses) {
            width = Math.max(width, r.length);
        }
        return width;
    }
}
