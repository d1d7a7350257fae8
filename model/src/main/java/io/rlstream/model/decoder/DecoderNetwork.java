package io.rlstream.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.rlstream.model.hf.DecoderConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Llama / Qwen2 / Qwen3 causal language model ({@code *ForCausalLM}) as DJL blocks:
 * {@code model.embed_tokens}, {@link DecoderBlock decoder layers}, {@code model.norm}, and
 * {@code lm_head} or, with tied embeddings, the embedding matrix transposed.
 *
 * <p>Inputs ({@link DecoderInputs} builds them from left-padded rows): tokens (B, T) int64,
 * position ids (B, T) int64, additive attention mask (B, 1, T, T) fp32. Output: logits (B, T, V).
 *
 * <p>{@link #parametersByHfName} names every parameter as transformers names it in a state dict
 * (e.g. {@code model.layers.0.self_attn.q_proj.weight}); {@link DecoderWeights} loads and saves
 * through those names.
 */
public final class DecoderNetwork extends AbstractBlock {

    private final DecoderConfig config;
    private final RotaryEmbedding rotary;
    private final Parameter embedTokens;
    private final List<DecoderBlock> layers = new ArrayList<>();
    private final RmsNorm norm;
    private final Linear lmHead;

    public DecoderNetwork(DecoderConfig config) {
        this.config = config;
        this.rotary = new RotaryEmbedding(config);
        embedTokens = addParameter(Parameter.builder()
                .setName("embed_tokens")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.vocabSize(), config.hiddenSize()))
                .build());
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(addChildBlock("layer" + i, new DecoderBlock(config, rotary)));
        }
        norm = addChildBlock("norm", new RmsNorm(config.hiddenSize(), config.rmsNormEps()));
        lmHead = config.tieWordEmbeddings() ? null
                : addChildBlock("lm_head", Linear.builder().setUnits(config.vocabSize()).optBias(false).build());
    }

    public DecoderConfig config() {
        return config;
    }

    public RotaryEmbedding rotary() {
        return rotary;
    }

    /** Shapes to {@link #initialize} with (one row of length {@code t}). */
    public static Shape[] inputShapes(long t) {
        return new Shape[] {new Shape(1, t), new Shape(1, t), new Shape(1, 1, t, t)};
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray tokens = inputs.get(0);
        NDArray positions = inputs.get(1);
        NDArray mask = inputs.get(2);
        NDArray table = ps.getValue(embedTokens, tokens.getDevice(), training);
        NDArray x = Embedding.embedding(tokens, table, SparseFormat.DENSE).head();
        NDList cosSin = rotary.cosSin(positions);
        for (DecoderBlock layer : layers) {
            x = layer.forward(ps, new NDList(x, cosSin.get(0), cosSin.get(1), mask), training).head();
        }
        x = norm.forward(ps, new NDList(x), training).head();
        // Linear.linear computes x·tableᵀ without a transposed copy of the table, which would be a new
        // array in the parameter's own (long-lived) manager on every forward.
        NDArray logits = lmHead == null ? Linear.linear(x, table).head()
                : lmHead.forward(ps, new NDList(x), training).head();
        return new NDList(logits);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape hidden = inputShapes[0].add(config.hiddenSize());
        Shape cos = new Shape(inputShapes[0].get(0), 1, inputShapes[0].get(1), config.headDim());
        for (DecoderBlock layer : layers) {
            layer.initialize(manager, dataType, hidden, cos, cos, inputShapes[2]);
        }
        norm.initialize(manager, dataType, hidden);
        if (lmHead != null) {
            lmHead.initialize(manager, dataType, hidden);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(config.vocabSize())};
    }

    /**
     * Every parameter under its transformers state-dict name, in the order transformers registers
     * them (embedding; per layer q, k, v, o projections with their biases, q_norm, k_norm, gate, up,
     * down, input and post-attention norms; final norm; lm_head unless tied).
     */
    public Map<String, Parameter> parametersByHfName() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        out.put("model.embed_tokens.weight", embedTokens);
        for (int i = 0; i < layers.size(); i++) {
            DecoderBlock layer = layers.get(i);
            String p = "model.layers." + i + ".";
            DecoderAttention a = layer.selfAttn;
            linear(out, p + "self_attn.q_proj", a.qProj);
            linear(out, p + "self_attn.k_proj", a.kProj);
            linear(out, p + "self_attn.v_proj", a.vProj);
            linear(out, p + "self_attn.o_proj", a.oProj);
            if (a.qNorm != null) {
                out.put(p + "self_attn.q_norm.weight", a.qNorm.weight());
                out.put(p + "self_attn.k_norm.weight", a.kNorm.weight());
            }
            linear(out, p + "mlp.gate_proj", layer.mlp.gateProj);
            linear(out, p + "mlp.up_proj", layer.mlp.upProj);
            linear(out, p + "mlp.down_proj", layer.mlp.downProj);
            out.put(p + "input_layernorm.weight", layer.inputLayernorm.weight());
            out.put(p + "post_attention_layernorm.weight", layer.postAttentionLayernorm.weight());
        }
        out.put("model.norm.weight", norm.weight());
        if (lmHead != null) {
            linear(out, "lm_head", lmHead);
        }
        return Collections.unmodifiableMap(out);
    }

    private static void linear(Map<String, Parameter> out, String prefix, Linear linear) {
        out.put(prefix + ".weight", linear.getParameters().get("weight"));
        Parameter bias = linear.getParameters().get("bias");
        if (bias != null) {
            out.put(prefix + ".bias", bias);
        }
    }
}
