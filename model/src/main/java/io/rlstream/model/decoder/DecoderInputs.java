package io.rlstream.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The network's inputs for a batch of token rows of different lengths, left-padded: tokens
 * (B, T), position ids (B, T) counted from each row's first real token (transformers' generate:
 * {@code cumsum(attention_mask) - 1}, padding given position 1), and the additive mask (B, 1, T, T)
 * allowing a query to attend to earlier or equal real positions only. A row therefore gets the
 * same logits alone or padded.
 *
 * @param padding number of pad positions at the start of each row
 */
public record DecoderInputs(NDArray tokens, NDArray positions, NDArray mask, int[] padding) {

    /** Added to the scores of masked keys; finite so that a fully masked (padding) row gives no NaN. */
    public static final float MASKED = -1e9f;

    public NDList toList() {
        return new NDList(tokens, positions, mask);
    }

    /** Left-pads {@code rows} with {@code padId}; arrays are created in {@code manager}. */
    public static DecoderInputs leftPadded(NDManager manager, int[][] rows, int padId) {
        int b = rows.length;
        int t = 0;
        for (int[] row : rows) {
            t = Math.max(t, row.length);
        }
        if (b == 0 || t == 0) {
            throw new IllegalArgumentException("no tokens to run");
        }
        long[] tokens = new long[b * t];
        long[] positions = new long[b * t];
        float[] keyMask = new float[b * t];
        int[] padding = new int[b];
        for (int r = 0; r < b; r++) {
            int pad = t - rows[r].length;
            padding[r] = pad;
            for (int j = 0; j < t; j++) {
                int i = r * t + j;
                if (j < pad) {
                    tokens[i] = padId;
                    positions[i] = 1;
                    keyMask[i] = MASKED;
                } else {
                    tokens[i] = rows[r][j - pad];
                    positions[i] = j - pad;
                }
            }
        }
        float[] causal = new float[t * t];
        for (int q = 0; q < t; q++) {
            for (int k = q + 1; k < t; k++) {
                causal[q * t + k] = MASKED;
            }
        }
        NDArray mask = manager.create(causal, new Shape(1, 1, t, t))
                .add(manager.create(keyMask, new Shape(b, 1, 1, t)));
        return new DecoderInputs(manager.create(tokens, new Shape(b, t)),
                manager.create(positions, new Shape(b, t)), mask, padding);
    }
}
