package io.rlstream.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.rlstream.model.hf.DecoderConfig;

/**
 * One pre-norm decoder layer of Llama/Qwen ({@code model.layers.N}):
 * {@code h = x + self_attn(input_layernorm(x)); y = h + mlp(post_attention_layernorm(h))}.
 *
 * <p>Inputs: x (B, T, hidden), cos, sin (B, 1, T, head_dim), additive mask (B, 1, T, T).
 */
public final class DecoderBlock extends AbstractBlock {

    final RmsNorm inputLayernorm;
    final DecoderAttention selfAttn;
    final RmsNorm postAttentionLayernorm;
    final SwiGluMlp mlp;

    public DecoderBlock(DecoderConfig config, RotaryEmbedding rotary) {
        inputLayernorm = addChildBlock("input_layernorm", new RmsNorm(config.hiddenSize(), config.rmsNormEps()));
        selfAttn = addChildBlock("self_attn", new DecoderAttention(config, rotary));
        postAttentionLayernorm = addChildBlock("post_attention_layernorm",
                new RmsNorm(config.hiddenSize(), config.rmsNormEps()));
        mlp = addChildBlock("mlp", new SwiGluMlp(config.hiddenSize(), config.intermediateSize()));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray normed = inputLayernorm.forward(ps, new NDList(x), training).head();
        NDArray h = x.add(selfAttn.forward(ps,
                new NDList(normed, inputs.get(1), inputs.get(2), inputs.get(3)), training).head());
        NDArray mlpIn = postAttentionLayernorm.forward(ps, new NDList(h), training).head();
        return new NDList(h.add(mlp.forward(ps, new NDList(mlpIn), training).head()));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        inputLayernorm.initialize(manager, dataType, x);
        selfAttn.initialize(manager, dataType, inputShapes);
        postAttentionLayernorm.initialize(manager, dataType, x);
        mlp.initialize(manager, dataType, x);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
