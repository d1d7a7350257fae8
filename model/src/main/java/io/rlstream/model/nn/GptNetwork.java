package io.rlstream.model.nn;

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
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * A GPT-style causal language model (GPT-2 layout, Radford et al. 2019): learned token and
 * position embeddings, {@link DecoderLayer pre-LayerNorm decoder layers}, a final LayerNorm and a
 * separate (untied) output head.
 *
 * <p>Inputs, all built by the caller so that padding and masking policy live in one place
 * ({@code io.rlstream.model.Policy}):
 *
 * <ol>
 *   <li>{@code tokens} (B, T) int64 token ids;
 *   <li>{@code positions} (B, T) int64 position ids, counted from each row's first real token so
 *       that left padding does not shift positions;
 *   <li>{@code mask} (B, 1, T, T) float32 additive attention mask (0 allowed, large negative not).
 * </ol>
 *
 * <p>Output: logits (B, T, V). The ids in {@code forbiddenTokens} (padding and BOS) get a large
 * negative logit, so the modelled distribution never puts mass on them: sampling never emits them
 * and teacher-forced scoring sees exactly the same distribution.
 */
public final class GptNetwork extends AbstractBlock {

    /** Added to masked logits and attention scores; finite so a fully masked row cannot yield NaN. */
    public static final float NEG_INF = -1e9f;

    private final GptShape config;
    private final int[] forbiddenTokens;
    private final Parameter tokenEmbedding;
    private final Parameter positionEmbedding;
    private final List<DecoderLayer> layers = new ArrayList<>();
    private final LayerNorm finalNorm;
    private final Linear head;

    /**
     * @param config network shape
     * @param forbiddenTokens token ids the model may never produce
     */
    public GptNetwork(GptShape config, int... forbiddenTokens) {
        this.config = config;
        this.forbiddenTokens = forbiddenTokens.clone();
        tokenEmbedding = addParameter(embeddingTable("token_embedding", config.vocabSize()));
        positionEmbedding =
                addParameter(embeddingTable("position_embedding", config.contextLength()));
        for (int i = 0; i < config.layers(); i++) {
            layers.add(addChildBlock("layer" + i,
                    new DecoderLayer(config.embedDim(), config.heads(), config.mlpHidden())));
        }
        finalNorm = addChildBlock("ln_f", LayerNorm.builder().axis(2).build());
        head = addChildBlock("head",
                Linear.builder().setUnits(config.vocabSize()).optBias(false).build());
    }

    private Parameter embeddingTable(String name, int rows) {
        return Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(rows, config.embedDim()))
                .build();
    }

    /** Shapes to {@link #initialize} with: one row of full context length. */
    public static Shape[] inputShapes(GptShape config) {
        long t = config.contextLength();
        return new Shape[] {new Shape(1, t), new Shape(1, t), new Shape(1, 1, t, t)};
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray tokens = inputs.get(0);
        NDArray positions = inputs.get(1);
        NDArray mask = inputs.get(2);
        NDArray tokenTable = ps.getValue(tokenEmbedding, tokens.getDevice(), training);
        NDArray positionTable = ps.getValue(positionEmbedding, tokens.getDevice(), training);
        NDArray x = Embedding.embedding(tokens, tokenTable, SparseFormat.DENSE).head()
                .add(Embedding.embedding(positions, positionTable, SparseFormat.DENSE).head());
        for (DecoderLayer layer : layers) {
            x = layer.forward(ps, new NDList(x, mask), training).head();
        }
        NDArray logits = head.forward(ps, finalNorm.forward(ps, new NDList(x), training), training)
                .head();
        return new NDList(logits.add(forbiddenLogitBias(tokens.getManager())));
    }

    private NDArray forbiddenLogitBias(NDManager manager) {
        float[] bias = new float[config.vocabSize()];
        for (int token : forbiddenTokens) {
            bias[token] = NEG_INF;
        }
        return manager.create(bias);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape hidden = inputShapes[0].add(config.embedDim());
        for (DecoderLayer layer : layers) {
            layer.initialize(manager, dataType, hidden, inputShapes[2]);
        }
        finalNorm.initialize(manager, dataType, hidden);
        head.initialize(manager, dataType, hidden);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(config.vocabSize())};
    }
}
