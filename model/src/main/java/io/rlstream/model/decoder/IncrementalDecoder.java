package io.rlstream.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import io.rlstream.model.hf.DecoderConfig;
import java.util.ArrayList;
import java.util.List;
import io.rlstream.model.autograd.Scalars;

/**
 * The forward pass of a {@link DecoderModel} split in the pieces that generation and memory-lean
 * scoring need, running the network's own blocks (so the same parameters and the same arithmetic
 * as {@link DecoderNetwork#forward}):
 *
 * <ul>
 *   <li>{@link #hidden}: the decoder layers and the final norm, without the output head, optionally
 *       reading and extending a {@link KvCache};</li>
 *   <li>{@link #head}: the output head ({@code lm_head}, or the embedding when tied) on hidden states;</li>
 *   <li>{@link #prefill} and {@link #step}: prompt once, then one token per row per step.</li>
 * </ul>
 *
 * <p>Attention with a cache is {@link DecoderAttention}'s computation with the new positions as
 * queries and the cached plus new keys and values as keys: scores (B, kv_heads, groups, T, S).
 * Results are created in the manager of the inputs (never the model's). Not thread-safe.
 */
public final class IncrementalDecoder {

    private final DecoderConfig config;
    private final ParameterStore ps;
    private final Parameter embed;
    private final List<DecoderBlock> layers = new ArrayList<>();
    private final RmsNorm norm;
    private final Linear lmHead;
    private final RotaryEmbedding rotary;

    public IncrementalDecoder(DecoderModel model) {
        DecoderNetwork network = model.network();
        this.config = model.config();
        this.ps = model.parameterStore();
        this.rotary = network.rotary();
        this.embed = network.parametersByHfName().get("model.embed_tokens.weight");
        RmsNorm finalNorm = null;
        Linear head = null;
        // DecoderNetwork's children in registration order: layers, norm, lm_head (untied only)
        for (Block child : network.getChildren().values()) {
            if (child instanceof DecoderBlock layer) {
                layers.add(layer);
            } else if (child instanceof RmsNorm n) {
                finalNorm = n;
            } else if (child instanceof Linear l) {
                head = l;
            }
        }
        if (layers.size() != config.numHiddenLayers() || finalNorm == null
                || (head == null) != config.tieWordEmbeddings()) {
            throw new IllegalStateException("unexpected DecoderNetwork structure");
        }
        this.norm = finalNorm;
        this.lmHead = head;
    }

    public DecoderConfig config() {
        return config;
    }

    /**
     * Hidden states after the final norm (B, T, hidden) for tokens and position ids (B, T) int64
     * and an additive mask (B, 1, T, S) where S = cached positions + T; with a cache, each layer's
     * new keys and values are appended to it and the cache advanced by T.
     */
    public NDArray hidden(NDArray tokens, NDArray positions, NDArray mask, KvCache cache, boolean training) {
        NDArray table = ps.getValue(embed, tokens.getDevice(), training);
        NDArray x = Embedding.embedding(tokens, table, SparseFormat.DENSE).head();
        NDList cosSin = rotary.cosSin(positions);
        for (int i = 0; i < layers.size(); i++) {
            DecoderBlock layer = layers.get(i);
            NDArray normed = layer.inputLayernorm.forward(ps, new NDList(x), training).head();
            NDArray h = x.add(attention(i, layer.selfAttn, normed, cosSin.get(0), cosSin.get(1), mask,
                    cache, training));
            NDArray mlpIn = layer.postAttentionLayernorm.forward(ps, new NDList(h), training).head();
            x = h.add(layer.mlp.forward(ps, new NDList(mlpIn), training).head());
        }
        if (cache != null) {
            cache.advance((int) tokens.getShape().get(1));
        }
        return norm.forward(ps, new NDList(x), training).head();
    }

    /** The output head on hidden states (..., hidden): logits (..., vocab). */
    public NDArray head(NDArray hidden, boolean training) {
        if (lmHead != null) {
            return lmHead.forward(ps, new NDList(hidden), training).head();
        }
        return Linear.linear(hidden, ps.getValue(embed, hidden.getDevice(), training)).head();
    }

    /** The output head's weight (vocab, hidden): lm_head's, or the embedding when tied. */
    public NDArray headWeight(boolean training) {
        Parameter w = lmHead != null ? lmHead.getParameters().get("weight") : embed;
        return ps.getValue(w, w.getArray().getDevice(), training);
    }

    /**
     * Runs left-padded prompts into a new cache, held in a sub-manager of {@code cacheOwner} (the
     * caller closes the cache), and returns it with the logits (B, vocab) at each row's last
     * position; the logits and every temporary array are created in {@code scope}.
     */
    public Prefill prefill(NDManager cacheOwner, NDManager scope, int[][] rows, int padId) {
        DecoderInputs in = DecoderInputs.leftPadded(scope, rows, padId);
        KvCache cache = new KvCache(cacheOwner, layers.size(), in.padding());
        try {
            NDArray h = hidden(in.tokens(), in.positions(), in.mask(), cache, false);
            NDArray last = h.get(new NDIndex(":, -1, :"));
            return new Prefill(cache, head(last, false));
        } catch (RuntimeException e) {
            cache.close();
            throw e;
        }
    }

    /** The cache and last-position logits of a {@link #prefill}. */
    public record Prefill(KvCache cache, NDArray logits) {}

    /**
     * One token per row appended to the cache: returns the logits (B, vocab) of the next position,
     * created in {@code scope}.
     */
    public NDArray step(NDManager scope, KvCache cache, int[] tokens) {
        int b = cache.batchSize();
        if (tokens.length != b) {
            throw new IllegalArgumentException(tokens.length + " tokens for a batch of " + b);
        }
        long[] ids = new long[b];
        for (int r = 0; r < b; r++) {
            ids[r] = tokens[r];
        }
        NDArray mask = cache.stepMask(scope);
        NDArray positions = scope.create(cache.nextPositions(), new Shape(b, 1));
        NDArray h = hidden(scope.create(ids, new Shape(b, 1)), positions, mask, cache, false);
        return head(h.reshape(b, config.hiddenSize()), false);
    }

    private NDArray attention(int layerIndex, DecoderAttention a, NDArray x, NDArray cos, NDArray sin,
                              NDArray mask, KvCache cache, boolean training) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int d = config.headDim();
        NDArray q = a.qProj.forward(ps, new NDList(x), training).head().reshape(b, t, heads, d);
        NDArray k = a.kProj.forward(ps, new NDList(x), training).head().reshape(b, t, kvHeads, d);
        NDArray v = a.vProj.forward(ps, new NDList(x), training).head().reshape(b, t, kvHeads, d);
        if (a.qNorm != null) {
            q = a.qNorm.forward(ps, new NDList(q), training).head();
            k = a.kNorm.forward(ps, new NDList(k), training).head();
        }
        q = rotary.apply(q.transpose(0, 2, 1, 3), cos, sin); // (B, H, T, d)
        k = rotary.apply(k.transpose(0, 2, 1, 3), cos, sin); // (B, KV, T, d)
        v = v.transpose(0, 2, 1, 3);
        NDArray keysT;
        NDArray vals;
        if (cache != null) {
            // views of the cached arrays would be created in the cache's manager: move them to
            // this step's scope so that they are freed with it
            NDManager scope = x.getManager();
            NDList kv = cache.append(layerIndex, k, v);
            keysT = kv.get(0).expandDims(2);
            keysT.attach(scope);
            keysT = keysT.transpose(0, 1, 2, 4, 3);
            keysT.attach(scope);
            vals = kv.get(1).expandDims(2);
            vals.attach(scope);
        } else {
            keysT = k.expandDims(2).transpose(0, 1, 2, 4, 3);
            vals = v.expandDims(2);
        }
        NDArray grouped = q.reshape(b, kvHeads, config.kvGroups(), t, d);
        // keys broadcast over the group axis
        NDArray scores = Scalars.times(grouped.matMul(keysT), 1.0 / Math.sqrt(d))
                .add(mask.expandDims(2)); // (B, KV, G, T, S)
        NDArray attended = scores.softmax(-1).matMul(vals) // (B, KV, G, T, d)
                .reshape(b, heads, t, d)
                .transpose(0, 2, 1, 3)
                .reshape(b, t, (long) heads * d);
        return a.oProj.forward(ps, new NDList(attended), training).head();
    }
}
