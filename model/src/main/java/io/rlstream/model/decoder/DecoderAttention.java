package io.rlstream.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.model.autograd.Scalars;

/**
 * Grouped-query causal self-attention as transformers' Llama/Qwen2/Qwen3 attention: q/k/v
 * projections (biases per {@link DecoderConfig#qkvBias}), Qwen3's RMSNorm over head_dim on queries
 * and keys before the rotary embedding, scores scaled by {@code head_dim^-0.5} plus an additive
 * mask, softmax in fp32, o_proj (bias per {@link DecoderConfig#outputBias}).
 *
 * <p>Grouped-query attention without copying keys: query head h belongs to key/value head
 * {@code h / groups} (transformers' {@code repeat_kv} order), so queries are viewed as
 * (B, kv_heads, groups, T, d) and multiplied with keys broadcast over the group axis.
 *
 * <p>Inputs: x (B, T, hidden), cos and sin (B, 1, T, head_dim), additive mask (B, 1, T, T).
 * Output: (B, T, hidden).
 */
public final class DecoderAttention extends AbstractBlock {

    private final DecoderConfig config;
    private final RotaryEmbedding rotary;
    final Linear qProj;
    final Linear kProj;
    final Linear vProj;
    final Linear oProj;
    final RmsNorm qNorm;
    final RmsNorm kNorm;

    public DecoderAttention(DecoderConfig config, RotaryEmbedding rotary) {
        this.config = config;
        this.rotary = rotary;
        long q = (long) config.numAttentionHeads() * config.headDim();
        long kv = (long) config.numKeyValueHeads() * config.headDim();
        qProj = addChildBlock("q_proj", Linear.builder().setUnits(q).optBias(config.qkvBias()).build());
        kProj = addChildBlock("k_proj", Linear.builder().setUnits(kv).optBias(config.qkvBias()).build());
        vProj = addChildBlock("v_proj", Linear.builder().setUnits(kv).optBias(config.qkvBias()).build());
        oProj = addChildBlock("o_proj", Linear.builder().setUnits(config.hiddenSize())
                .optBias(config.outputBias()).build());
        if (config.qkNorm()) {
            qNorm = addChildBlock("q_norm", new RmsNorm(config.headDim(), config.rmsNormEps()));
            kNorm = addChildBlock("k_norm", new RmsNorm(config.headDim(), config.rmsNormEps()));
        } else {
            qNorm = null;
            kNorm = null;
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray cos = inputs.get(1);
        NDArray sin = inputs.get(2);
        NDArray mask = inputs.get(3);
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int d = config.headDim();

        NDArray q = qProj.forward(ps, new NDList(x), training).head().reshape(b, t, heads, d);
        NDArray k = kProj.forward(ps, new NDList(x), training).head().reshape(b, t, kvHeads, d);
        NDArray v = vProj.forward(ps, new NDList(x), training).head().reshape(b, t, kvHeads, d);
        if (qNorm != null) {
            q = qNorm.forward(ps, new NDList(q), training).head();
            k = kNorm.forward(ps, new NDList(k), training).head();
        }
        q = rotary.apply(q.transpose(0, 2, 1, 3), cos, sin); // (B, H, T, d)
        k = rotary.apply(k.transpose(0, 2, 1, 3), cos, sin); // (B, KV, T, d)
        v = v.transpose(0, 2, 1, 3);

        NDArray grouped = q.reshape(b, kvHeads, config.kvGroups(), t, d);
        NDArray keys = k.expandDims(2); // (B, KV, 1, S, d)
        NDArray scores = Scalars.times(grouped.matMul(keys.transpose(0, 1, 2, 4, 3)), 1.0 / Math.sqrt(d))
                .add(mask.expandDims(2)); // (B, KV, G, T, S)
        NDArray probs = scores.softmax(-1);
        NDArray attended = probs.matMul(v.expandDims(2)) // (B, KV, G, T, d)
                .reshape(b, heads, t, d)
                .transpose(0, 2, 1, 3)
                .reshape(b, t, (long) heads * d);
        return oProj.forward(ps, new NDList(attended), training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        qProj.initialize(manager, dataType, x);
        kProj.initialize(manager, dataType, x);
        vProj.initialize(manager, dataType, x);
        oProj.initialize(manager, dataType, new Shape(x.get(0), x.get(1),
                (long) config.numAttentionHeads() * config.headDim()));
        if (qNorm != null) {
            qNorm.initialize(manager, dataType, new Shape(config.headDim()));
            kNorm.initialize(manager, dataType, new Shape(config.headDim()));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
