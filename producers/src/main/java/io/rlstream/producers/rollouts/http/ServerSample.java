package io.rlstream.producers.rollouts.http;

/**
 * One sample as the server reported it.
 *
 * @param tokenIds the response's token ids, as the server sampled them (a stop token included when it stopped on one)
 * @param logprobs the server's log-probability of each of those tokens (the behaviour log-probs)
 * @param truncated true when the server stopped at the token limit ("length"), false when on a stop token
 * @param weightVersion the weight version the server says produced it; null when it does not say or it is not a number
 */
public record ServerSample(int[] tokenIds, float[] logprobs, boolean truncated, Long weightVersion) {

    public ServerSample {
        if (tokenIds.length != logprobs.length) {
            throw new MalformedResponseException("the server gave " + tokenIds.length + " token ids but "
                    + logprobs.length + " log-probs");
        }
    }
}
