package io.rlstream.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer for the positions a batch has run so far, so that a decoding
 * step only runs the new token (transformers' {@code DynamicCache}). Keys are stored after the
 * rotary embedding (and Qwen3's k_norm), as transformers stores them; both are (B, kv_heads, S,
 * head_dim) fp32, held in a manager of their own that outlives each step's scope.
 *
 * <p>Rows are left-padded by the prefill: {@link #padding} pad positions at the start of row r stay
 * masked for every later query, and row r's next position id is {@code S - padding[r]}, the count of
 * its real tokens, as transformers' generate derives it from the attention mask.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int[] padding;
    private int length;

    KvCache(NDManager parent, int layers, int[] padding) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.padding = padding.clone();
    }

    /** Number of rows. */
    public int batchSize() {
        return padding.length;
    }

    /** Positions held (S), pads included. */
    public int length() {
        return length;
    }

    /** Pad positions at the start of each row. */
    public int[] padding() {
        return padding.clone();
    }

    /** The position id of each row's next token: its count of real tokens so far. */
    public long[] nextPositions() {
        long[] out = new long[padding.length];
        for (int r = 0; r < out.length; r++) {
            out[r] = length - padding[r];
        }
        return out;
    }

    /**
     * The additive mask (B, 1, 1, S + 1) for one new token per row: every held position but the
     * row's padding, and the new position itself.
     */
    NDArray stepMask(NDManager scope) {
        int s = length + 1;
        float[] mask = new float[padding.length * s];
        for (int r = 0; r < padding.length; r++) {
            for (int j = 0; j < padding[r]; j++) {
                mask[r * s + j] = DecoderInputs.MASKED;
            }
        }
        return scope.create(mask, new Shape(padding.length, 1, 1, s));
    }

    /**
     * Layer {@code layer}'s keys and values with {@code k}, {@code v} (B, kv_heads, T, d) appended
     * along the sequence; the result replaces the held ones (which are closed) and is returned.
     */
    NDList append(int layer, NDArray k, NDArray v) {
        NDArray newK = keys[layer] == null ? k : NDArrays.concat(new NDList(keys[layer], k), 2);
        NDArray newV = values[layer] == null ? v : NDArrays.concat(new NDList(values[layer], v), 2);
        newK.attach(manager);
        newV.attach(manager);
        if (keys[layer] != null && keys[layer] != newK) {
            keys[layer].close();
            values[layer].close();
        }
        keys[layer] = newK;
        values[layer] = newV;
        return new NDList(newK, newV);
    }

    /** Called once every layer has appended {@code t} positions. */
    void advance(int t) {
        length += t;
    }

    @Override
    public void close() {
        manager.close();
    }
}
