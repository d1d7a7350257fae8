package io.rlstream.model;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.rlstream.model.nn.GptNetwork;
import io.rlstream.model.nn.SeededNormalInitializer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small GPT-style policy in DJL (PyTorch engine): creation, batched sampling, teacher-forced
 * scoring for training, and checkpoints.
 *
 * <p>Sampling recomputes the whole (short) sequence for each new position rather than keeping a
 * key/value cache: with prompts of ~7 tokens and responses of ~4 this costs little and keeps one
 * code path for sampling and scoring. A batch runs one forward per generated position; prompts of
 * different lengths are left-padded and masked (see {@link PaddedBatch}).
 *
 * <p>Not thread-safe: one thread samples or trains a given instance at a time.
 */
public final class Policy implements AutoCloseable {

    private static final String ENGINE = "PyTorch";
    /** GPT-2's initialisation scale (Radford et al. 2019). */
    private static final float INIT_SIGMA = 0.02f;

    static {
        // PyTorch defaults to one OpenMP thread per core. On the 2-core machines this project
        // runs on, a generator and a trainer side by side (or any other busy process) then
        // oversubscribe the cores and spin-wait: we measured sample() and rlStep() 4-6x slower with
        // 2 threads than with 1 under load (model/README.md). Explicit settings win; the engine
        // reads these when it starts, so they apply only if no DJL engine is running yet.
        System.getProperties().putIfAbsent("ai.djl.pytorch.num_threads", "1");
        System.getProperties().putIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    }

    private final PolicyConfig config;
    private final Model model;
    private final GptNetwork network;
    private final ParameterStore parameterStore;

    private Policy(PolicyConfig config, Model model, GptNetwork network) {
        this.config = config;
        this.model = model;
        this.network = network;
        this.parameterStore = new ParameterStore(model.getNDManager(), false);
    }

    /** A freshly initialised policy; the same config and seed give the same weights. */
    public static Policy create(PolicyConfig config, long seed) {
        GptNetwork network = new GptNetwork(config, CharTokenizer.PAD, CharTokenizer.BOS);
        network.setInitializer(new SeededNormalInitializer(INIT_SIGMA, seed), Parameter.Type.WEIGHT);
        Model model = Model.newInstance("policy", ENGINE);
        model.setBlock(network);
        network.initialize(model.getNDManager(), DataType.FLOAT32, GptNetwork.inputShapes(config));
        return new Policy(config, model, network);
    }

    /** A policy with the config and weights of a checkpoint folder written by {@link #save}. */
    public static Policy load(Path checkpointDir) {
        PolicyConfig config = PolicyConfig.fromMap(CheckpointFiles.readMetadata(checkpointDir));
        Policy policy = create(config, 0);
        try {
            policy.loadWeights(checkpointDir);
        } catch (RuntimeException e) {
            policy.close();
            throw e;
        }
        return policy;
    }

    /**
     * Writes {@code model.safetensors} (parameters by name) and {@code metadata.json} (the config
     * under {@code policy.*} plus {@code metadata}) into a temporary sibling folder and renames it
     * to {@code checkpointDir}.
     */
    public void save(Path checkpointDir, Map<String, String> metadata) {
        Map<String, String> all = new LinkedHashMap<>(config.toMap());
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            if (all.containsKey(entry.getKey())) {
                throw new IllegalArgumentException(
                        "metadata key '" + entry.getKey() + "' is reserved for the policy config");
            }
            all.put(entry.getKey(), entry.getValue());
        }
        try (NDManager scope = newScope()) {
            NDList named = new NDList();
            for (Pair<String, Parameter> entry : parameters()) {
                NDArray copy = entry.getValue().getArray().duplicate();
                copy.attach(scope);
                copy.setName(entry.getKey());
                named.add(copy);
            }
            CheckpointFiles.write(checkpointDir, named, all);
        }
    }

    /**
     * Replaces the weights in place with those of a checkpoint of the same config (generators
     * call this when a new checkpoint is announced). Optimizer state keyed by parameter stays
     * valid because the parameter arrays are kept and overwritten.
     */
    public void loadWeights(Path checkpointDir) {
        PolicyConfig stored = PolicyConfig.fromMap(CheckpointFiles.readMetadata(checkpointDir));
        if (!stored.equals(config)) {
            throw new IllegalArgumentException("checkpoint " + checkpointDir + " has config "
                    + stored + " but this policy has " + config);
        }
        try (NDManager scope = newScope()) {
            Map<String, NDArray> byName = new HashMap<>();
            for (NDArray array : CheckpointFiles.readWeights(scope, checkpointDir)) {
                byName.put(array.getName(), array);
            }
            for (Pair<String, Parameter> entry : parameters()) {
                NDArray saved = byName.remove(entry.getKey());
                NDArray target = entry.getValue().getArray();
                if (saved == null || !saved.getShape().equals(target.getShape())) {
                    throw new IllegalArgumentException("checkpoint " + checkpointDir
                            + " lacks parameter '" + entry.getKey() + "' of shape "
                            + target.getShape() + (saved == null ? "" : ", found "
                            + saved.getShape()));
                }
                target.set(saved.toType(target.getDataType(), false).toByteBuffer());
            }
            if (!byName.isEmpty()) {
                throw new IllegalArgumentException("checkpoint " + checkpointDir
                        + " has parameters this network does not know: " + byName.keySet());
            }
        }
    }

    /**
     * Samples one response per prompt, all prompts in one batch.
     *
     * <p>Each token is drawn from softmax(logits / temperature), and the returned log-probability
     * is that of the same tempered distribution: it is the behaviour policy π_old of the importance
     * ratio in the policy loss, which must be the distribution actually sampled from. Score with
     * the same temperature in {@link #responseLogprobs} to compare like with like (the demo uses
     * temperature 1, where both coincide with the model's own distribution).
     *
     * @param prompts token ids, each starting with BOS, without padding
     * @param maxNewTokens most tokens to generate per prompt (EOS included)
     * @param temperature > 0
     * @param seed seed of the sampling randomness; the same weights, prompts and seed give the same
     *     output
     */
    public List<Generation> sample(
            List<int[]> prompts, int maxNewTokens, float temperature, long seed) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException(
                    "temperature must be > 0, got " + temperature + "; use greedy() for argmax");
        }
        return generate(prompts, maxNewTokens, new TokenChooser.Sampling(temperature, seed));
    }

    /**
     * Argmax decoding, all prompts in one batch; the returned log-probabilities are those of the
     * chosen tokens under the model's distribution at temperature 1.
     */
    public List<Generation> greedy(List<int[]> prompts, int maxNewTokens) {
        return generate(prompts, maxNewTokens, new TokenChooser.Greedy());
    }

    private List<Generation> generate(List<int[]> prompts, int maxNewTokens, TokenChooser chooser) {
        int promptWidth = checkPrompts(prompts, maxNewTokens);
        int n = prompts.size();
        int[][] rows = PaddedBatch.leftPadded(prompts, promptWidth, maxNewTokens);
        float[][] logprobs = new float[n][maxNewTokens];
        int[] lengths = new int[n];
        boolean[] stopped = new boolean[n];
        int vocab = config.vocabSize();
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (int step = 0, active = n; step < maxNewTokens && active > 0; step++) {
                float[] last = lastLogits(rows, promptWidth + step);
                for (int b = 0; b < n; b++) {
                    if (stopped[b]) {
                        continue;
                    }
                    TokenChooser.Choice choice = chooser.choose(last, b * vocab, vocab);
                    rows[b][promptWidth + step] = choice.token();
                    logprobs[b][step] = choice.logprob();
                    lengths[b]++;
                    if (choice.token() == CharTokenizer.EOS) {
                        stopped[b] = true;
                        active--;
                    }
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        List<Generation> out = new ArrayList<>(n);
        for (int b = 0; b < n; b++) {
            int[] tokens = new int[lengths[b]];
            System.arraycopy(rows[b], promptWidth, tokens, 0, lengths[b]);
            float[] lp = new float[lengths[b]];
            System.arraycopy(logprobs[b], 0, lp, 0, lengths[b]);
            out.add(new Generation(tokens, lp, !stopped[b]));
        }
        return out;
    }

    /** Logits (row-major B × V) at the last of the first {@code width} columns. */
    private float[] lastLogits(int[][] rows, int width) {
        try (NDManager scope = newScope()) {
            NDArray logits = network.forward(
                    parameterStore, PaddedBatch.inputs(scope, rows, width), false).head();
            return logits.get(":, -1, :").toFloatArray();
        }
    }

    /**
     * Teacher-forced log-probabilities of {@code responses} given {@code prompts}, as NDArrays in
     * {@code scope} (with the autograd graph when {@code training}). Used by the trainer for
     * log π_θ and by tests to check {@link #sample}.
     *
     * @param temperature the logits are divided by it before the softmax, as in {@link #sample}
     */
    public TokenLogprobs responseLogprobs(NDManager scope, List<int[]> prompts,
            List<int[]> responses, float temperature, boolean training) {
        return responseLogprobs(scope, prompts, responses, temperature, null, training);
    }

    /**
     * As {@link #responseLogprobs(NDManager, List, List, float, boolean)}, each response scored at
     * its own temperature (the one it was sampled at), so a batch that mixes temperatures compares
     * like with like row by row.
     *
     * @param temperatures one per response, each > 0
     */
    public TokenLogprobs responseLogprobs(NDManager scope, List<int[]> prompts,
            List<int[]> responses, float[] temperatures, boolean training) {
        if (temperatures.length != responses.size()) {
            throw new IllegalArgumentException(temperatures.length + " temperatures but " + responses.size()
                    + " responses");
        }
        for (float t : temperatures) {
            if (!(t > 0) || !Float.isFinite(t)) {
                throw new IllegalArgumentException("temperatures must be > 0 and finite, got " + t);
            }
        }
        return responseLogprobs(scope, prompts, responses, 1f, temperatures, training);
    }

    private TokenLogprobs responseLogprobs(NDManager scope, List<int[]> prompts,
            List<int[]> responses, float temperature, float[] perRow, boolean training) {
        if (prompts.size() != responses.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + responses.size()
                    + " responses");
        }
        int responseWidth = 1;
        for (int[] response : responses) {
            responseWidth = Math.max(responseWidth, response.length);
        }
        int promptWidth = checkPrompts(prompts, responseWidth);
        int n = prompts.size();
        int[][] rows = PaddedBatch.leftPadded(prompts, promptWidth, responseWidth);
        long[] targets = new long[n * responseWidth];
        float[] mask = new float[n * responseWidth];
        for (int b = 0; b < n; b++) {
            int[] response = responses.get(b);
            for (int j = 0; j < response.length; j++) {
                rows[b][promptWidth + j] = response[j];
                targets[b * responseWidth + j] = response[j];
                mask[b * responseWidth + j] = 1f;
            }
        }
        // The token at column c is predicted from columns < c, so the last column is never input.
        int width = promptWidth + responseWidth - 1;
        NDArray logits = network.forward(
                parameterStore, PaddedBatch.inputs(scope, rows, width), training).head();
        NDArray responseLogits = logits.get(":, " + (promptWidth - 1) + ":, :");
        if (perRow != null) {
            responseLogits = responseLogits.div(scope.create(perRow, new Shape(n, 1, 1)));
        } else if (temperature != 1f) {
            responseLogits = responseLogits.div(temperature);
        }
        NDArray maskArray = scope.create(mask, new Shape(n, responseWidth));
        NDArray logSoftmax = responseLogits.logSoftmax(-1);
        NDArray picked = logSoftmax
                .gather(scope.create(targets, new Shape(n, responseWidth, 1)), 2)
                .squeeze(2)
                .mul(maskArray);
        NDArray entropy = logSoftmax.exp().mul(logSoftmax).sum(new int[] {2}).neg().mul(maskArray);
        return new TokenLogprobs(picked, maskArray, entropy);
    }

    private int checkPrompts(List<int[]> prompts, int newTokens) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompts given");
        }
        if (newTokens < 1) {
            throw new IllegalArgumentException("need at least one new token, got " + newTokens);
        }
        int width = 0;
        for (int[] prompt : prompts) {
            if (prompt.length == 0) {
                throw new IllegalArgumentException("empty prompt; prompts start with BOS");
            }
            for (int token : prompt) {
                if (token <= CharTokenizer.PAD || token >= config.vocabSize()) {
                    throw new IllegalArgumentException("prompt token " + token
                            + " is padding or outside the vocabulary of size "
                            + config.vocabSize());
                }
            }
            width = Math.max(width, prompt.length);
        }
        if (width + newTokens > config.contextLength()) {
            throw new IllegalArgumentException("longest prompt (" + width + " tokens) plus "
                    + newTokens + " new tokens exceeds the context length "
                    + config.contextLength());
        }
        return width;
    }

    public PolicyConfig config() {
        return config;
    }

    /** The DJL model; its NDManager owns the parameters. */
    public Model model() {
        return model;
    }

    /** Parameters by hierarchical name (the names used in checkpoints), in a stable order. */
    public ParameterList parameters() {
        return network.getParameters();
    }

    /** A child NDManager on the policy's device: open one per step and close it to free arrays. */
    public NDManager newScope() {
        return model.getNDManager().newSubManager();
    }

    @Override
    public void close() {
        model.close();
    }
}
