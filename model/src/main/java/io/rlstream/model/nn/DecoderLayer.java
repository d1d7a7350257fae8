package io.rlstream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One pre-LayerNorm GPT decoder layer (GPT-2, Radford et al. 2019):
 * {@code h = x + attn(ln1(x)); y = h + W2·gelu(W1·ln2(h))}.
 *
 * <p>Written here because DJL's {@code TransformerEncoderBlock} is post-norm with BatchNorm, which
 * is the BERT layout, not a causal language model's.
 *
 * <p>Input: {@code x} (B, T, D) and the additive attention mask (B, 1, T, T). Output: (B, T, D).
 */
public final class DecoderLayer extends AbstractBlock {

    private final LayerNorm attentionNorm;
    private final CausalSelfAttention attention;
    private final LayerNorm mlpNorm;
    private final Linear mlpIn;
    private final Linear mlpOut;

    /**
     * @param embedDim width D of the residual stream
     * @param heads attention heads
     * @param mlpHidden hidden width of the MLP
     */
    public DecoderLayer(int embedDim, int heads, int mlpHidden) {
        attentionNorm = addChildBlock("ln1", LayerNorm.builder().axis(2).build());
        attention = addChildBlock("attn", new CausalSelfAttention(embedDim, heads));
        mlpNorm = addChildBlock("ln2", LayerNorm.builder().axis(2).build());
        mlpIn = addChildBlock("fc1", Linear.builder().setUnits(mlpHidden).build());
        mlpOut = addChildBlock("fc2", Linear.builder().setUnits(embedDim).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray mask = inputs.get(1);
        NDArray normed = attentionNorm.forward(ps, new NDList(x), training).head();
        NDArray h = x.add(attention.forward(ps, new NDList(normed, mask), training).head());
        NDArray hidden = mlpIn.forward(ps, mlpNorm.forward(ps, new NDList(h), training), training)
                .head();
        NDArray mlp = mlpOut.forward(ps, new NDList(Activation.gelu(hidden)), training).head();
        return new NDList(h.add(mlp));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        attentionNorm.initialize(manager, dataType, x);
        attention.initialize(manager, dataType, x, inputShapes[1]);
        mlpNorm.initialize(manager, dataType, x);
        mlpIn.initialize(manager, dataType, x);
        mlpOut.initialize(manager, dataType, mlpIn.getOutputShapes(new Shape[] {x}));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
