package io.rlstream.model;

/**
 * One generated response.
 *
 * @param tokens the generated tokens, ending with a stop token (eos) when the policy stopped
 * @param logprobs per token, the log-probability of that token under the distribution it was drawn
 *     from (see {@link Policy#sample} for which distribution that is)
 * @param truncated true when generation hit the token limit before an EOS
 */
public record Generation(int[] tokens, float[] logprobs, boolean truncated) {

    public Generation {
        if (tokens.length != logprobs.length) {
            throw new IllegalArgumentException(
                    "tokens and logprobs differ in length: " + tokens.length + " vs "
                            + logprobs.length);
        }
    }
}
