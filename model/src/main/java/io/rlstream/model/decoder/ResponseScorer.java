package io.rlstream.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import io.rlstream.model.autograd.Scalars;

/**
 * Per-token log-probabilities of response tokens given their prompts, {@code log π(y_j | x, y_<j)}
 * at a temperature, without materialising fp32 logits of the whole batch over the vocabulary at
 * once: the decoder runs once to hidden states, and the output head, log-softmax and gather run
 * over {@code chunkPositions} response positions at a time, so at most B × chunk × vocab logits
 * exist at any moment (for scoring and for training).
 *
 * <p>Training ({@link #backward}) keeps that bound for the gradient too, which an autograd graph
 * over the chunks would not (each chunk's log-softmax output would be saved for the backward
 * pass, B × R × vocab in all). It runs in three passes, as chunked cross-entropy kernels do:
 * <ol>
 *   <li>decoder forward with the graph; the response positions' hidden states h are detached into
 *       a leaf h' (the head is not part of this graph);</li>
 *   <li>log-probs chunk by chunk from h' without a graph; the caller's loss is evaluated on them as
 *       a leaf, and its gradient g = dL/dlogπ (B, R) taken;</li>
 *   <li>per chunk again, with a graph: backward of {@code sum(logπ_chunk · g_chunk)}, which adds the
 *       head's weight gradient and fills dL/dh' chunk by chunk; finally backward of h with dL/dh'
 *       through the decoder.</li>
 * </ol>
 * The price is the output head computed twice. The entropy −Σ_v π(v) log π(v) of each position can
 * come along ({@link Entropy}): as a value (pass 2, no graph), or as a second leaf of the loss whose
 * gradient pass 3 adds ({@code sum(logπ·g + H·g_H)}). Each row may have its own temperature.
 * Parameter gradients accumulate into the existing
 * ones (PyTorch's {@code .grad}; DJL does not zero them), so micro-batches can be scored one after
 * another before an optimizer step. No {@code GradientCollector} is opened (only one can be open at
 * a time in DJL's PyTorch engine): grad mode is switched on for the call and restored.
 *
 * <p>Layout: prompt r left-padded to the longest prompt P, responses following it and right-filled
 * to the longest R; response token j of every row is predicted at column P - 1 + j. Results are
 * (B, R) with 0 beyond each response's length.
 */
public final class ResponseScorer {

    /** The loss of the log-probs, given as a leaf (B, R) with 0 at padding, and the mask (B, R). */
    @FunctionalInterface
    public interface LogprobLoss {
        NDArray loss(NDArray logprobs, NDArray mask);
    }

    /**
     * The loss of the log-probs and entropies, given as leaves (B, R) with 0 at padding (entropy
     * null unless asked for), and the mask (B, R).
     */
    @FunctionalInterface
    public interface TokenLoss {
        NDArray loss(NDArray logprobs, NDArray entropy, NDArray mask);
    }

    /** Whether and how the entropy of each position is given to a {@link TokenLoss}. */
    public enum Entropy {
        /** not computed (null) */
        NONE,
        /** computed without gradient: for a metric */
        VALUE,
        /** a leaf whose gradient flows back through the head: for an entropy bonus */
        GRADIENT
    }

    /** The loss value and the log-probs it was computed from (one array per row, its response's length). */
    public record Result(float loss, float[][] logprobs) {}

    private final DecoderModel model;
    private final IncrementalDecoder decoder;
    private final int chunkPositions;
    private final int fillId;

    /** @param chunkPositions response positions (of every row) per output-head chunk */
    public ResponseScorer(DecoderModel model, int chunkPositions) {
        if (chunkPositions <= 0) {
            throw new IllegalArgumentException("chunkPositions must be positive, got " + chunkPositions);
        }
        this.model = model;
        this.decoder = new IncrementalDecoder(model);
        this.chunkPositions = chunkPositions;
        Integer pad = model.config().padTokenId();
        this.fillId = pad != null && pad >= 0 && pad < model.config().vocabSize() ? pad : 0;
    }

    /**
     * A chunk length keeping B × chunk × vocab fp32 logits under {@code maxLogitElements}
     * (at least 1).
     */
    public static int chunkFor(long maxLogitElements, int batch, int vocab) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, maxLogitElements / ((long) batch * vocab)));
    }

    /** Log-probs without the autograd graph (grad mode off for the call). */
    public float[][] score(List<int[]> prompts, List<int[]> responses, double temperature) {
        return score(prompts, responses, same(temperature, responses.size()));
    }

    /** As {@link #score(List, List, double)}, each row at its own temperature. */
    public float[][] score(List<int[]> prompts, List<int[]> responses, float[] temperatures) {
        Batch batch = batch(prompts, responses, temperatures);
        if (batch.width == 0) {
            return batch.empty();
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager scope = model.newScope()) {
            NDArray h = responseHidden(scope, batch, false);
            NDArray lp = chunked(scope, h, batch, decoder.headWeight(false), false).logprobs();
            return batch.rows(lp.mul(batch.mask(scope)).toFloatArray());
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /**
     * Computes the log-probs, the loss of them, and adds the loss's gradient to every parameter's
     * gradient (see the class comment).
     */
    public Result backward(List<int[]> prompts, List<int[]> responses, double temperature, LogprobLoss lossFn) {
        return backward(prompts, responses, same(temperature, responses.size()), Entropy.NONE,
                (lp, entropy, mask) -> lossFn.loss(lp, mask));
    }

    /**
     * As {@link #backward(List, List, double, LogprobLoss)}, each row at its own temperature, with
     * the entropy of each position given to the loss as {@code entropy} asks.
     */
    public Result backward(List<int[]> prompts, List<int[]> responses, float[] temperatures, Entropy entropy,
            TokenLoss lossFn) {
        Batch batch = batch(prompts, responses, temperatures);
        if (batch.width == 0) {
            throw new IllegalArgumentException("no response tokens to train on");
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        try (NDManager scope = model.newScope()) {
            // 1. decoder with the graph; the head's input detached into a leaf
            NDArray h = responseHidden(scope, batch, true);
            NDArray leaf = h.stopGradient();
            leaf.setRequiresGradient(true);
            NDArray weight = decoder.headWeight(true);
            NDArray mask = batch.mask(scope);

            // 2. log-probs (and entropies) without a graph, the loss on them as leaves, its gradient
            Scores values;
            JniUtils.setGradMode(false);
            try {
                values = chunked(scope, leaf, batch, weight, entropy != Entropy.NONE);
            } finally {
                JniUtils.setGradMode(true);
            }
            NDArray lpLeaf = values.logprobs().mul(mask);
            lpLeaf.setRequiresGradient(true);
            NDArray entropyLeaf = null;
            if (entropy != Entropy.NONE) {
                entropyLeaf = values.entropy().mul(mask);
                entropyLeaf.setRequiresGradient(entropy == Entropy.GRADIENT);
            }
            NDArray loss = lossFn.loss(lpLeaf, entropyLeaf, mask);
            if (loss.getShape().size() != 1) {
                throw new IllegalArgumentException("the loss must be a scalar, got shape " + loss.getShape());
            }
            float lossValue = loss.toFloatArray()[0];
            if (entropy == Entropy.GRADIENT) {
                // + 0·ΣH: the entropy leaf is in the graph even where the loss leaves it out (a zero gradient)
                loss = loss.add(Scalars.times(entropyLeaf.sum(), 0));
            }
            backward(loss, scope.ones(loss.getShape()));
            NDArray g = lpLeaf.getGradient().mul(mask);
            NDArray gEntropy = entropy == Entropy.GRADIENT ? entropyLeaf.getGradient().mul(mask) : null;

            // 3. the head per chunk with a graph, then the decoder
            for (int c0 = 0; c0 < batch.width; c0 += chunkPositions) {
                int c1 = Math.min(batch.width, c0 + chunkPositions);
                try (NDManager chunkScope = scope.newSubManager()) {
                    NDArray part = leaf.get(new NDIndex(":, {}:{}, :", c0, c1));
                    part.attach(chunkScope);
                    NDArray logSoftmax = chunkLogSoftmax(part, weight, batch.temperatures(chunkScope));
                    NDArray lp = gather(logSoftmax, batch.targets(chunkScope, c0, c1));
                    NDArray gPart = g.get(new NDIndex(":, {}:{}", c0, c1));
                    gPart.attach(chunkScope);
                    NDArray weighted = lp.mul(gPart).sum();
                    if (gEntropy != null) {
                        NDArray gePart = gEntropy.get(new NDIndex(":, {}:{}", c0, c1));
                        gePart.attach(chunkScope);
                        weighted = weighted.add(entropy(logSoftmax).mul(gePart).sum());
                    }
                    backward(weighted, chunkScope.ones(weighted.getShape()));
                }
            }
            NDArray dh = leaf.getGradient();
            backward(h, dh);
            return new Result(lossValue, batch.rows(lpLeaf.stopGradient().toFloatArray()));
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private static float[] same(double temperature, int rows) {
        float[] out = new float[rows];
        java.util.Arrays.fill(out, (float) temperature);
        return out;
    }

    private static void backward(NDArray target, NDArray gradient) {
        JniUtils.backward((PtNDArray) target, (PtNDArray) gradient, false, false);
    }

    /** Hidden states (B, R, hidden) of the positions that predict the response tokens. */
    private NDArray responseHidden(NDManager scope, Batch batch, boolean training) {
        DecoderInputs in = DecoderInputs.leftPadded(scope, batch.inputs, fillId);
        NDArray h = decoder.hidden(in.tokens(), in.positions(), in.mask(), null, training);
        return h.get(new NDIndex(":, {}:{}, :", batch.promptWidth - 1, batch.promptWidth - 1 + batch.width));
    }

    /** Log-probs (B, R) of the targets and, when asked, entropies (B, R); in {@code scope}. */
    private record Scores(NDArray logprobs, NDArray entropy) {}

    /** {@link Scores} with the head run chunk by chunk; in {@code scope}. */
    private Scores chunked(NDManager scope, NDArray h, Batch batch, NDArray weight, boolean withEntropy) {
        List<NDArray> parts = new ArrayList<>();
        List<NDArray> entropies = new ArrayList<>();
        NDArray temperatures = batch.temperatures(scope);
        for (int c0 = 0; c0 < batch.width; c0 += chunkPositions) {
            int c1 = Math.min(batch.width, c0 + chunkPositions);
            try (NDManager chunkScope = scope.newSubManager()) {
                NDArray part = h.get(new NDIndex(":, {}:{}, :", c0, c1));
                part.attach(chunkScope);
                NDArray logSoftmax = chunkLogSoftmax(part, weight, temperatures);
                NDArray lp = gather(logSoftmax, batch.targets(chunkScope, c0, c1));
                lp.attach(scope);
                parts.add(lp);
                if (withEntropy) {
                    NDArray e = entropy(logSoftmax);
                    e.attach(scope);
                    entropies.add(e);
                }
            }
        }
        return new Scores(concat(parts), withEntropy ? concat(entropies) : null);
    }

    private static NDArray concat(List<NDArray> parts) {
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 1);
    }

    /** {@code log_softmax(h W^T / T)}: (B, c, vocab); {@code temperatures} (B, 1, 1) or null for 1. */
    private static NDArray chunkLogSoftmax(NDArray h, NDArray weight, NDArray temperatures) {
        NDArray logits = Linear.linear(h, weight).head();
        if (temperatures != null) {
            logits = logits.div(temperatures);
        }
        return logits.logSoftmax(-1);
    }

    /** The log-probs of the targets (B, c). */
    private static NDArray gather(NDArray logSoftmax, NDArray targets) {
        return logSoftmax.gather(targets.expandDims(-1), -1).squeeze(-1);
    }

    /** −Σ_v π(v) log π(v) of each position (B, c), as {@code Policy.responseLogprobs} computes it. */
    private static NDArray entropy(NDArray logSoftmax) {
        return logSoftmax.exp().mul(logSoftmax).sum(new int[] {2}).neg();
    }

    private Batch batch(List<int[]> prompts, List<int[]> responses, float[] temperatures) {
        if (prompts.size() != responses.size() || temperatures.length != responses.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts, " + responses.size() + " responses and "
                    + temperatures.length + " temperatures");
        }
        boolean allOne = true;
        for (float t : temperatures) {
            if (!(t > 0) || !Float.isFinite(t)) {
                throw new IllegalArgumentException("temperatures must be > 0 and finite, got " + t);
            }
            allOne &= t == 1f;
        }
        int n = prompts.size();
        if (n == 0) {
            throw new IllegalArgumentException("no rows to score");
        }
        int vocab = model.config().vocabSize();
        int promptWidth = 0;
        int width = 0;
        for (int r = 0; r < n; r++) {
            if (prompts.get(r).length == 0) {
                throw new IllegalArgumentException("prompt " + r + " is empty");
            }
            promptWidth = Math.max(promptWidth, prompts.get(r).length);
            width = Math.max(width, responses.get(r).length);
            check(prompts.get(r), vocab, "prompt " + r);
            check(responses.get(r), vocab, "response " + r);
        }
        int[][] inputs = new int[n][];
        long[] targets = new long[n * Math.max(width, 1)];
        float[] mask = new float[n * Math.max(width, 1)];
        int[] lengths = new int[n];
        for (int r = 0; r < n; r++) {
            int[] p = prompts.get(r);
            int[] y = responses.get(r);
            lengths[r] = y.length;
            int[] row = new int[p.length + Math.max(width - 1, 0)];
            System.arraycopy(p, 0, row, 0, p.length);
            for (int j = 0; j < width - 1; j++) {
                row[p.length + j] = j < y.length ? y[j] : fillId;
            }
            inputs[r] = row;
            for (int j = 0; j < width; j++) {
                targets[r * width + j] = j < y.length ? y[j] : fillId;
                mask[r * width + j] = j < y.length ? 1f : 0f;
            }
        }
        return new Batch(inputs, targets, mask, lengths, promptWidth, width, allOne ? null : temperatures.clone());
    }

    private static void check(int[] tokens, int vocab, String what) {
        for (int t : tokens) {
            if (t < 0 || t >= vocab) {
                throw new IllegalArgumentException(what + " has token " + t + " outside the vocabulary [0, "
                        + vocab + ")");
            }
        }
    }

    private record Batch(int[][] inputs, long[] targets, float[] maskValues, int[] lengths, int promptWidth,
                         int width, float[] temperatureValues) {

        /** (B, 1, 1), or null when every row is at temperature 1. */
        NDArray temperatures(NDManager scope) {
            return temperatureValues == null ? null
                    : scope.create(temperatureValues, new Shape(inputs.length, 1, 1));
        }

        NDArray mask(NDManager scope) {
            return scope.create(maskValues, new Shape(inputs.length, width));
        }

        NDArray targets(NDManager scope, int c0, int c1) {
            long[] part = new long[inputs.length * (c1 - c0)];
            for (int r = 0; r < inputs.length; r++) {
                System.arraycopy(targets, r * width + c0, part, r * (c1 - c0), c1 - c0);
            }
            return scope.create(part, new Shape(inputs.length, c1 - c0));
        }

        float[][] rows(float[] flat) {
            float[][] out = new float[inputs.length][];
            for (int r = 0; r < inputs.length; r++) {
                out[r] = new float[lengths[r]];
                System.arraycopy(flat, r * width, out[r], 0, lengths[r]);
            }
            return out;
        }

        float[][] empty() {
            float[][] out = new float[inputs.length][];
            for (int r = 0; r < inputs.length; r++) {
                out[r] = new float[0];
            }
            return out;
        }
    }
}
