package io.rlstream.model.generate;

/**
 * The new tokens generated for one prompt.
 *
 * @param tokens the generated token ids, the stop token included when {@code finishReason} is
 *     {@link FinishReason#STOP}
 * @param logprobs per token, the natural log of its probability under the distribution it was
 *     drawn from (see {@link TokenSampler}): after temperature, top-k and top-p, renormalised over
 *     the kept tokens; at temperature 0 (greedy), the log-softmax of the unscaled logits
 * @param finishReason stop or length
 */
public record Completion(int[] tokens, float[] logprobs, FinishReason finishReason) {

    public Completion {
        if (tokens.length != logprobs.length) {
            throw new IllegalArgumentException(tokens.length + " tokens but " + logprobs.length + " logprobs");
        }
        tokens = tokens.clone();
        logprobs = logprobs.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public float[] logprobs() {
        return logprobs.clone();
    }
}
