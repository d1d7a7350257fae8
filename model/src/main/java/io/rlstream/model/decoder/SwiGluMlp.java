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
import io.rlstream.model.autograd.Scalars;

/**
 * The SwiGLU feed-forward block (Shazeer 2020) of Llama and Qwen:
 * {@code down_proj(silu(gate_proj(x)) * up_proj(x))}, no biases.
 */
public final class SwiGluMlp extends AbstractBlock {

    private final int hidden;
    private final int intermediate;
    final Linear gateProj;
    final Linear upProj;
    final Linear downProj;

    public SwiGluMlp(int hidden, int intermediate) {
        this.hidden = hidden;
        this.intermediate = intermediate;
        gateProj = addChildBlock("gate_proj", Linear.builder().setUnits(intermediate).optBias(false).build());
        upProj = addChildBlock("up_proj", Linear.builder().setUnits(intermediate).optBias(false).build());
        downProj = addChildBlock("down_proj", Linear.builder().setUnits(hidden).optBias(false).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray gate = gateProj.forward(ps, inputs, training).head();
        NDArray up = upProj.forward(ps, inputs, training).head();
        NDArray h = Scalars.silu(gate).mul(up);
        return downProj.forward(ps, new NDList(h), training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        gateProj.initialize(manager, dataType, x);
        upProj.initialize(manager, dataType, x);
        Shape inner = x.slice(0, x.dimension() - 1).add(intermediate);
        downProj.initialize(manager, dataType, inner);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public String toString() {
        return "SwiGluMlp(" + hidden + " -> " + intermediate + ")";
    }
}
