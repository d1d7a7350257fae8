package io.rlstream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Multi-head scaled dot-product self-attention (Vaswani et al. 2017, arXiv 1706.03762) with an
 * additive mask supplied by the caller, so one block serves causal masking and left padding alike.
 *
 * <p>Input: {@code x} (B, T, D) and {@code mask} (B, 1, T, T) holding 0 where a query may attend a
 * key and a large negative number elsewhere. Output: (B, T, D).
 */
public final class CausalSelfAttention extends AbstractBlock {

    private final int heads;
    private final Linear qkv;
    private final Linear projection;

    /**
     * @param embedDim width D of the residual stream
     * @param heads number of heads H; D must be divisible by H
     */
    public CausalSelfAttention(int embedDim, int heads) {
        this.heads = heads;
        this.qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * embedDim).build());
        this.projection = addChildBlock("proj", Linear.builder().setUnits(embedDim).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray mask = inputs.get(1);
        long batch = x.getShape().get(0);
        long time = x.getShape().get(1);
        long width = x.getShape().get(2);
        long headDim = width / heads;

        NDArray packed = qkv.forward(ps, new NDList(x), training).head();
        // (B, T, 3, H, Dh) -> (3, B, H, T, Dh): one reshape, one transpose for q, k and v.
        NDArray qkvHeads = packed.reshape(batch, time, 3, heads, headDim).transpose(2, 0, 3, 1, 4);
        NDArray q = qkvHeads.get(0);
        NDArray k = qkvHeads.get(1);
        NDArray v = qkvHeads.get(2);

        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(1.0 / Math.sqrt(headDim)).add(mask);
        NDArray attended = scores.softmax(-1).matMul(v);
        NDArray merged = attended.transpose(0, 2, 1, 3).reshape(batch, time, width);
        return projection.forward(ps, new NDList(merged), training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        qkv.initialize(manager, dataType, inputShapes[0]);
        projection.initialize(manager, dataType, inputShapes[0]);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
