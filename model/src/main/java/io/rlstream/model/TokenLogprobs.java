package io.rlstream.model;

import ai.djl.ndarray.NDArray;

/**
 * Per-token log-probabilities of a batch of responses, padded to the longest response.
 *
 * @param logprobs (B, R) log π(token) of each response token, 0 at padded positions; carries the
 *     autograd graph when computed for training
 * @param mask (B, R) 1 for real response tokens, 0 for padding
 * @param entropy (B, R) entropy −Σ_v π(v) log π(v) of the policy's next-token distribution at each
 *     response position (at the scoring temperature), 0 at padded positions; with the autograd
 *     graph when computed for training (an entropy bonus differentiates it)
 */
public record TokenLogprobs(NDArray logprobs, NDArray mask, NDArray entropy) {}
