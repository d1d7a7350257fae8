package io.rlstream.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.rlstream.model.hf.DecoderConfig;

/**
 * Rotary position embeddings (Su et al. 2021) in transformers' layout: the head dimension is split
 * in halves rather than interleaved pairs ({@code rotate_half(x) = cat(-x2, x1)}), the angle of
 * frequency i at position p is {@code p * inv_freq[i]} with {@code inv_freq[i] = 1 / theta^(2i/d)},
 * optionally rescaled by Llama 3's rope_scaling ({@code _compute_llama3_parameters}), and
 * cos/sin are {@code cat(freqs, freqs)} over the head dimension, computed in fp32.
 */
public final class RotaryEmbedding {

    private final float[] invFreq;
    private final int headDim;

    public RotaryEmbedding(DecoderConfig config) {
        this.headDim = config.headDim();
        this.invFreq = inverseFrequencies(config);
    }

    /**
     * {@code 1 / theta^(2i / d)} for i in [0, d/2), as transformers'
     * {@code _compute_default_rope_parameters} (exponents in fp32), scaled by the config's
     * rope_scaling if any.
     */
    public static float[] inverseFrequencies(DecoderConfig config) {
        int d = config.headDim();
        double[] f = new double[d / 2];
        for (int i = 0; i < f.length; i++) {
            float exponent = (float) (2 * i) / d;
            f[i] = (float) (1.0 / Math.pow(config.ropeTheta(), exponent));
        }
        if (config.ropeScaling() != null) {
            config.ropeScaling().apply(f);
        }
        float[] out = new float[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = (float) f[i];
        }
        return out;
    }

    /** The inverse frequencies, length head_dim / 2. */
    public float[] inverseFrequencies() {
        return invFreq.clone();
    }

    /**
     * cos and sin for position ids (B, T) int64, each (B, 1, T, head_dim) fp32, ready to broadcast
     * over heads.
     */
    public NDList cosSin(NDArray positions) {
        NDManager manager = positions.getManager();
        NDArray inv = manager.create(invFreq);
        NDArray freqs = positions.toType(DataType.FLOAT32, false).expandDims(2).mul(inv);
        NDArray emb = NDArrays.concat(new NDList(freqs, freqs), 2).expandDims(1);
        return new NDList(emb.cos(), emb.sin());
    }

    /** {@code x * cos + rotate_half(x) * sin} for x (B, heads, T, head_dim). */
    public NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        int half = headDim / 2;
        NDArray x1 = x.get(new NDIndex("..., :" + half));
        NDArray x2 = x.get(new NDIndex("..., " + half + ":"));
        NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), 3);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
