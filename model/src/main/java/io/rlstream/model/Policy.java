package io.rlstream.model;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.ParameterList;
import ai.djl.nn.core.Linear;
import ai.djl.util.JsonUtils;
import io.rlstream.model.decoder.DecoderInputs;
import io.rlstream.model.decoder.DecoderModel;
import io.rlstream.model.decoder.DecoderWeights;
import io.rlstream.model.decoder.IncrementalDecoder;
import io.rlstream.model.folder.ModelFolder;
import io.rlstream.model.folder.TokenizerFiles;
import io.rlstream.model.generate.Completion;
import io.rlstream.model.generate.DecoderGenerator;
import io.rlstream.model.generate.FinishReason;
import io.rlstream.model.generate.GenerationConfig;
import io.rlstream.model.generate.SamplingParams;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.model.safetensors.Dtype;
import io.rlstream.model.safetensors.SafetensorsCheckpoint;
import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.model.tokenizer.HfTokenizer;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The policy every service trains and samples: a Hugging Face decoder model ({@link DecoderModel},
 * model_type llama, qwen2 or qwen3) with its tokenizer and generation config, loaded from and saved
 * to a Hugging Face model folder. The demo's policy is a tiny model of the same family
 * ({@link #create(PolicyConfig, long)}), loaded by the same code as any checkpoint: one model path.
 *
 * <p>A policy folder is a Hugging Face model folder (config.json, safetensors weights,
 * generation_config.json, the tokenizer files) plus {@value #METADATA}, a flat JSON object of
 * strings the caller gives (policy name, version, step; transformers, vLLM and SGLang ignore it).
 * Folders are written atomically ({@link ModelFolder#write}).
 *
 * <p>Sampling runs with a key/value cache ({@link DecoderGenerator}); scoring for training runs the
 * whole batch once with the autograd graph ({@link #responseLogprobs}). Not thread-safe: one
 * thread samples or trains a given instance at a time.
 */
public final class Policy implements AutoCloseable {

    /** The caller's metadata in a policy folder. */
    public static final String METADATA = "metadata.json";

    static {
        // PyTorch defaults to one OpenMP thread per core. On the 2-core machines this project
        // runs on, a generator and a trainer side by side (or any other busy process) then
        // oversubscribe the cores and spin-wait: we measured sampling and training steps 4-6x slower
        // with 2 threads than with 1 under load (model/README.md). Explicit settings win; the engine
        // reads these when it starts, so they apply only if no DJL engine is running yet.
        System.getProperties().putIfAbsent("ai.djl.pytorch.num_threads", "1");
        System.getProperties().putIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    }

    private final DecoderModel model;
    private final IncrementalDecoder decoder;
    private final DecoderGenerator generator;
    private final HfTokenizer tokenizer;
    private final TokenizerFiles tokenizerFiles;
    private final GenerationConfig generation;
    private final int[] stopTokenIds;
    private final int fillId;
    private Dtype saveDtype = Dtype.F32;

    private Policy(DecoderModel model, HfTokenizer tokenizer, TokenizerFiles tokenizerFiles,
                   GenerationConfig generation) {
        this.model = model;
        this.decoder = new IncrementalDecoder(model);
        this.generator = new DecoderGenerator(model);
        this.tokenizer = tokenizer;
        this.tokenizerFiles = tokenizerFiles;
        this.generation = generation;
        this.stopTokenIds = stopTokenIds(model.config(), generation);
        Integer pad = model.config().padTokenId();
        this.fillId = pad != null && pad >= 0 && pad < model.config().vocabSize() ? pad : 0;
    }

    /**
     * A freshly initialised tiny model of the demo's shape ({@link PolicyConfig#decoderConfig}) with
     * the demo's character tokenizer; the same config and seed give the same weights.
     */
    public static Policy create(PolicyConfig config, long seed) {
        return create(config.decoderConfig(), TokenizerFiles.of(CharTokenizer.arithmetic()), seed);
    }

    /** A freshly initialised model of {@code config} with the given tokenizer files (tokenizer.json required). */
    public static Policy create(DecoderConfig config, TokenizerFiles tokenizer, long seed) {
        DecoderModel model = DecoderModel.create(config, seed);
        try {
            return withTokenizer(model, tokenizer, ModelFolder.generationFromModel(config));
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e instanceof IOException io ? new UncheckedIOException("cannot prepare the tokenizer", io)
                    : (RuntimeException) e;
        }
    }

    /**
     * The policy of a Hugging Face model folder: config.json, the weights (F32, F16 or BF16, one
     * file or shards), tokenizer.json (required: generators encode prompts with it) and
     * generation_config.json (optional).
     *
     * @throws IllegalArgumentException naming the folder and what is missing or wrong
     */
    public static Policy load(Path dir) {
        ModelFolder folder;
        try {
            folder = ModelFolder.open(dir);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cannot load a policy from " + dir + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model folder " + dir, e);
        }
        if (!folder.hasTokenizer()) {
            throw new IllegalArgumentException("cannot load a policy from " + dir + ": it has no "
                    + ModelFolder.TOKENIZER + " (copy the tokenizer files of the base model into it)");
        }
        DecoderModel model;
        try {
            model = folder.loadModel();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the weights of " + dir, e);
        }
        try {
            return withTokenizer(model, TokenizerFiles.snapshotOf(dir), folder.generation());
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e instanceof IOException io ? new UncheckedIOException("cannot read the tokenizer of " + dir, io)
                    : (RuntimeException) e;
        }
    }

    private static Policy withTokenizer(DecoderModel model, TokenizerFiles files, GenerationConfig generation)
            throws IOException {
        Path staging = Files.createTempDirectory("rlstream-tokenizer");
        try {
            files.writeInto(staging);
            HfTokenizer tokenizer = HfTokenizer.load(staging);
            if (tokenizer.vocabSize() > model.config().vocabSize()) {
                tokenizer.close();
                throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize()
                        + " ids but the model's vocab_size is " + model.config().vocabSize());
            }
            return new Policy(model, tokenizer, files, generation);
        } finally {
            try (var walk = Files.walk(staging)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The caller's metadata of a policy folder ({@value #METADATA}); empty when it has none. */
    public static Map<String, String> readMetadata(Path dir) {
        Path file = dir.resolve(METADATA);
        if (!Files.isRegularFile(file)) {
            return Map.of();
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Map<?, ?> map = JsonUtils.GSON.fromJson(reader, Map.class);
            Map<String, String> out = new LinkedHashMap<>();
            if (map != null) {
                map.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    /** The dtype weights are written in by {@link #save}: F32 (default, bit-exact) or BF16 (half the size). */
    public Policy saveAs(Dtype dtype) {
        if (dtype != Dtype.F32 && dtype != Dtype.BF16) {
            throw new IllegalArgumentException("weights are written as F32 or BF16, not " + dtype);
        }
        this.saveDtype = dtype;
        return this;
    }

    /**
     * Writes the policy as a Hugging Face model folder at {@code dir} (config.json, weights with
     * transformers' names, generation_config.json, the tokenizer files) plus {@value #METADATA},
     * atomically: an existing policy folder there is replaced whole.
     */
    public void save(Path dir, Map<String, String> metadata) {
        for (String key : metadata.keySet()) {
            if (key.isBlank()) {
                throw new IllegalArgumentException("metadata keys must not be blank: " + metadata.keySet());
            }
        }
        byte[] json = JsonUtils.GSON_PRETTY.toJson(new LinkedHashMap<>(metadata)).getBytes(StandardCharsets.UTF_8);
        try {
            ModelFolder.write(dir, model, saveDtype, DecoderModel.DEFAULT_MAX_SHARD_BYTES, tokenizerFiles, generation,
                    temp -> Files.write(temp.resolve(METADATA), json));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the policy to " + dir, e);
        }
    }

    /**
     * Replaces the weights in place with those of a policy folder of the same architecture and sizes
     * (generators call this when a new checkpoint is announced). Optimizer state keyed by parameter
     * stays valid because the parameter arrays are kept and overwritten.
     */
    public void loadWeights(Path dir) {
        DecoderConfig stored;
        try {
            stored = DecoderConfig.read(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the config of " + dir + ": " + e.getMessage(), e);
        }
        if (!sameShape(stored, model.config())) {
            throw new IllegalArgumentException("checkpoint " + dir + " has config " + stored.toJsonString()
                    + " but this policy has " + model.config().toJsonString());
        }
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir)) {
            DecoderWeights.load(model.network(), checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the weights of " + dir, e);
        }
    }

    /** Same network: what the dtype a folder was written in or extra config keys do not change. */
    private static boolean sameShape(DecoderConfig a, DecoderConfig b) {
        return a.withTorchDtype("float32").toJson().equals(b.withTorchDtype("float32").toJson());
    }

    /**
     * Samples one response per prompt, all prompts in one batch.
     *
     * <p>Each token is drawn from softmax(logits / temperature), and the returned log-probability
     * is that of the same tempered distribution: it is the behaviour policy π_old of the importance
     * ratio in the policy loss, which must be the distribution actually sampled from. Score with
     * the same temperature in {@link #responseLogprobs} to compare like with like.
     *
     * @param prompts token ids, without padding
     * @param maxNewTokens most tokens to generate per prompt (the stop token included)
     * @param temperature > 0
     * @param seed seed of the sampling randomness; the same weights, prompts and seed give the same
     *     output
     */
    public List<Generation> sample(List<int[]> prompts, int maxNewTokens, float temperature, long seed) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException(
                    "temperature must be > 0, got " + temperature + "; use greedy() for argmax");
        }
        checkPrompts(prompts, maxNewTokens);
        return generations(generator.generate(prompts,
                SamplingParams.sample(temperature, 1.0, maxNewTokens, stopTokenIds), seed));
    }

    /**
     * Argmax decoding, all prompts in one batch; the returned log-probabilities are those of the
     * chosen tokens under the model's distribution at temperature 1.
     */
    public List<Generation> greedy(List<int[]> prompts, int maxNewTokens) {
        checkPrompts(prompts, maxNewTokens);
        return generations(generator.generate(prompts, SamplingParams.greedy(maxNewTokens, stopTokenIds), 0L));
    }

    private static List<Generation> generations(List<Completion> completions) {
        List<Generation> out = new ArrayList<>(completions.size());
        for (Completion c : completions) {
            out.add(new Generation(c.tokens(), c.logprobs(), c.finishReason() == FinishReason.LENGTH));
        }
        return out;
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
        float[] temperatures = new float[responses.size()];
        java.util.Arrays.fill(temperatures, temperature);
        return responseLogprobs(scope, prompts, responses, temperatures, training);
    }

    /**
     * As {@link #responseLogprobs(NDManager, List, List, float, boolean)}, each response scored at
     * its own temperature (the one it was sampled at), so a batch that mixes temperatures compares
     * like with like row by row.
     *
     * <p>Layout as {@link io.rlstream.model.decoder.ResponseScorer}'s: prompt r left-padded to the
     * longest prompt P, its response following and right-filled to the longest R, so response token
     * j of every row is predicted at column P - 1 + j. Unlike the scorer this keeps the autograd
     * graph through the whole (B, R, vocab) head: fine for small vocabularies, and the loss may then
     * use the entropy too.
     *
     * @param temperatures one per response, each > 0
     */
    public TokenLogprobs responseLogprobs(NDManager scope, List<int[]> prompts,
            List<int[]> responses, float[] temperatures, boolean training) {
        if (prompts.size() != responses.size() || temperatures.length != responses.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts, " + responses.size() + " responses and "
                    + temperatures.length + " temperatures");
        }
        for (float t : temperatures) {
            if (!(t > 0) || !Float.isFinite(t)) {
                throw new IllegalArgumentException("temperatures must be > 0 and finite, got " + t);
            }
        }
        int n = prompts.size();
        int width = 1;
        for (int[] response : responses) {
            width = Math.max(width, response.length);
        }
        int promptWidth = checkPrompts(prompts, width);
        int vocab = model.config().vocabSize();
        int[][] rows = new int[n][];
        long[] targets = new long[n * width];
        float[] mask = new float[n * width];
        for (int r = 0; r < n; r++) {
            int[] p = prompts.get(r);
            int[] y = responses.get(r);
            int[] row = new int[p.length + width - 1];
            System.arraycopy(p, 0, row, 0, p.length);
            for (int j = 0; j < width; j++) {
                boolean real = j < y.length;
                if (real && (y[j] < 0 || y[j] >= vocab)) {
                    throw new IllegalArgumentException("response " + r + " has token " + y[j]
                            + " outside the vocabulary [0, " + vocab + ")");
                }
                if (j < width - 1) {
                    row[p.length + j] = real ? y[j] : fillId;
                }
                targets[r * width + j] = real ? y[j] : fillId;
                mask[r * width + j] = real ? 1f : 0f;
            }
            rows[r] = row;
        }
        DecoderInputs in = DecoderInputs.leftPadded(scope, rows, fillId);
        NDArray hidden = decoder.hidden(in.tokens(), in.positions(), in.mask(), null, training)
                .get(new NDIndex(":, {}:{}, :", promptWidth - 1, promptWidth - 1 + width));
        NDArray logits = Linear.linear(hidden, decoder.headWeight(training)).head()
                .div(scope.create(temperatures, new Shape(n, 1, 1)));
        NDArray maskArray = scope.create(mask, new Shape(n, width));
        NDArray logSoftmax = logits.logSoftmax(-1);
        NDArray picked = logSoftmax.gather(scope.create(targets, new Shape(n, width, 1)), 2).squeeze(2)
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
        int vocab = model.config().vocabSize();
        int width = 0;
        for (int[] prompt : prompts) {
            if (prompt.length == 0) {
                throw new IllegalArgumentException("empty prompt");
            }
            for (int token : prompt) {
                if (token < 0 || token >= vocab) {
                    throw new IllegalArgumentException("prompt token " + token
                            + " is outside the vocabulary of size " + vocab);
                }
            }
            width = Math.max(width, prompt.length);
        }
        if (width + newTokens > contextLength()) {
            throw new IllegalArgumentException("longest prompt (" + width + " tokens) plus "
                    + newTokens + " new tokens exceeds the context length " + contextLength());
        }
        return width;
    }

    /** Generation ends at these ids: generation_config.json's eos_token_id, else config.json's. */
    private static int[] stopTokenIds(DecoderConfig config, GenerationConfig generation) {
        Set<Integer> ids = new LinkedHashSet<>(generation.eosTokenIds());
        if (ids.isEmpty()) {
            ids.addAll(config.eosTokenIds());
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The Hugging Face config of the network. */
    public DecoderConfig config() {
        return model.config();
    }

    /** Longest sequence (prompt + response) the policy takes: config.json's max_position_embeddings. */
    public int contextLength() {
        return model.config().maxPositionEmbeddings();
    }

    /** The ids that end a response (eos). */
    public int[] stopTokenIds() {
        return stopTokenIds.clone();
    }

    /** The model folder's tokenizer: generators encode prompts and decode responses with it. */
    public HfTokenizer tokenizer() {
        return tokenizer;
    }

    /** The network and its weights. */
    public DecoderModel decoderModel() {
        return model;
    }

    /** The DJL model; its NDManager owns the parameters. */
    public Model model() {
        return model.model();
    }

    /** Parameters by hierarchical name, in a stable order (the optimizer keys its state by these names). */
    public ParameterList parameters() {
        return model.network().getParameters();
    }

    /** A child NDManager on the policy's device: open one per step and close it to free arrays. */
    public NDManager newScope() {
        return model.newScope();
    }

    @Override
    public void close() {
        tokenizer.close();
        model.close();
    }
}
