package io.rlstream.model;

import ai.djl.ndarray.NDArray;

/**
 * Per-token log-probabilities of a batch of responses, padded to the longest response.
 *
 * @param logprobs (B, R) log π(token) of each response token, 0 at padded positions; carries the
 *     autograd graph when computed for training
 * @param mask (B, R) 1 for real response tokens, 0 for padding
 */
public record TokenLogprobs(NDArray logprobs, NDArray mask) {}
