package io.rlstream.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Root-mean-square layer norm over the last axis (Zhang and Sennrich 2019), as transformers'
 * {@code LlamaRMSNorm}: {@code weight * (x / sqrt(mean(x²) + eps))}, the normalisation computed in
 * fp32 whatever the input type, the weight (initialised to ones) applied after converting back.
 * Serves as the layers' norms (over hidden_size) and as Qwen3's per-head q_norm/k_norm (over head_dim).
 */
public final class RmsNorm extends AbstractBlock {

    private final int dim;
    private final double eps;
    private final Parameter weight;

    public RmsNorm(int dim, double eps) {
        this.dim = dim;
        this.eps = eps;
        this.weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.GAMMA)
                .optShape(new Shape(dim))
                .build());
    }

    /** The scale, shape (dim). */
    public Parameter weight() {
        return weight;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.head();
        DataType inputType = x.getDataType();
        NDArray x32 = inputType == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        int last = x.getShape().dimension() - 1;
        NDArray variance = x32.square().mean(new int[] {last}, true);
        NDArray normed = x32.div(variance.add(eps).sqrt());
        if (inputType != DataType.FLOAT32) {
            normed = normed.toType(inputType, false);
        }
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        return new NDList(normed.mul(w));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public String toString() {
        return "RmsNorm(" + dim + ", eps=" + eps + ")";
    }
}
