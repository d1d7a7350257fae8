package io.rlstream.model.generate;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.rlstream.model.decoder.DecoderModel;
import io.rlstream.model.decoder.IncrementalDecoder;
import io.rlstream.model.decoder.KvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Autoregressive generation for a {@link DecoderModel}: the left-padded prompts run once (prefill)
 * into a {@link KvCache}, then each step runs one new token per row against the cached keys and
 * values of every layer. Tokens are chosen by a {@link TokenSampler} (temperature, top-k, top-p);
 * a row ends when it samples a stop token (kept as its last token, {@link FinishReason#STOP}) or
 * after {@code maxNewTokens} ({@link FinishReason#LENGTH}); the batch ends when every row has.
 * Rows that have ended keep being fed (their outputs ignored) until the batch ends.
 *
 * <p>Runs without recording the autograd graph (PyTorch's grad mode is thread-local; it is
 * switched off for the call and restored, as {@code Policy.sample} does). Each row draws from its
 * own {@link SplittableRandom} seeded per row, so a row generates the same alone or in any batch
 * given the same seed (up to float rounding differences between batch shapes, far below what
 * changes a draw in practice). Not thread-safe (one model).
 */
public final class DecoderGenerator {

    /** How the logits of each step are computed. */
    public enum Mode {
        /** Prefill once, then one token per step against the cache. */
        KV_CACHE,
        /** The whole sequence again at every step (the reference for tests). */
        RECOMPUTE
    }

    private final DecoderModel model;
    private final IncrementalDecoder decoder;
    private final int padId;

    public DecoderGenerator(DecoderModel model) {
        this.model = model;
        this.decoder = new IncrementalDecoder(model);
        Integer pad = model.config().padTokenId();
        this.padId = pad != null && pad >= 0 && pad < model.config().vocabSize() ? pad : 0;
    }

    public DecoderModel model() {
        return model;
    }

    /** Generates for every prompt with one seed: row r draws from the r-th split of {@code seed}. */
    public List<Completion> generate(List<int[]> prompts, SamplingParams params, long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        long[] seeds = new long[prompts.size()];
        for (int r = 0; r < seeds.length; r++) {
            seeds[r] = root.nextLong();
        }
        return generate(prompts, params, seeds, Mode.KV_CACHE);
    }

    /** Generates for every prompt; row r draws from {@code new SplittableRandom(seeds[r])}. */
    public List<Completion> generate(List<int[]> prompts, SamplingParams params, long[] seeds, Mode mode) {
        int n = prompts.size();
        if (seeds.length != n) {
            throw new IllegalArgumentException(n + " prompts but " + seeds.length + " seeds");
        }
        int vocab = model.config().vocabSize();
        int[][] rows = new int[n][];
        for (int r = 0; r < n; r++) {
            int[] p = prompts.get(r);
            if (p.length == 0) {
                throw new IllegalArgumentException("prompt " + r + " is empty");
            }
            for (int t : p) {
                if (t < 0 || t >= vocab) {
                    throw new IllegalArgumentException("prompt " + r + " has token " + t
                            + " outside the vocabulary [0, " + vocab + ")");
                }
            }
            rows[r] = p.clone();
        }
        int max = params.maxNewTokens();
        TokenSampler sampler = new TokenSampler(params);
        SplittableRandom[] rngs = new SplittableRandom[n];
        for (int r = 0; r < n; r++) {
            rngs[r] = new SplittableRandom(seeds[r]);
        }
        int[][] tokens = new int[n][max];
        float[][] logprobs = new float[n][max];
        int[] lengths = new int[n];
        boolean[] stopped = new boolean[n];
        if (n == 0 || max == 0) {
            return results(tokens, logprobs, lengths, stopped);
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager generation = model.newScope()) {
            KvCache cache = null;
            float[] logits;
            try (NDManager scope = generation.newSubManager()) {
                if (mode == Mode.KV_CACHE) {
                    IncrementalDecoder.Prefill prefill = decoder.prefill(generation, scope, rows, padId);
                    cache = prefill.cache();
                    logits = prefill.logits().toFloatArray();
                } else {
                    logits = lastLogits(scope, rows);
                }
            }
            int active = n;
            int[] next = new int[n];
            for (int r = 0; r < n; r++) {
                next[r] = rows[r][rows[r].length - 1];
            }
            for (int step = 0; step < max; step++) {
                for (int r = 0; r < n; r++) {
                    if (stopped[r] || lengths[r] == max) {
                        continue; // ended: fed its last token again, the output ignored
                    }
                    TokenSampler.Choice c = sampler.choose(logits, r * vocab, vocab, rngs[r]);
                    tokens[r][lengths[r]] = c.token();
                    logprobs[r][lengths[r]] = c.logprob();
                    lengths[r]++;
                    next[r] = c.token();
                    if (params.isStop(c.token())) {
                        stopped[r] = true;
                    }
                    if (stopped[r] || lengths[r] == max) {
                        active--;
                    }
                }
                if (active == 0) {
                    break;
                }
                try (NDManager scope = generation.newSubManager()) {
                    if (mode == Mode.KV_CACHE) {
                        logits = decoder.step(scope, cache, next).toFloatArray();
                    } else {
                        for (int r = 0; r < n; r++) {
                            int[] grown = Arrays.copyOf(rows[r], rows[r].length + 1);
                            grown[rows[r].length] = next[r];
                            rows[r] = grown;
                        }
                        logits = lastLogits(scope, rows);
                    }
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        return results(tokens, logprobs, lengths, stopped);
    }

    private float[] lastLogits(NDManager scope, int[][] rows) {
        return model.logits(scope, rows, padId, false).get(":, -1, :").toFloatArray();
    }

    private static List<Completion> results(int[][] tokens, float[][] logprobs, int[] lengths, boolean[] stopped) {
        List<Completion> out = new ArrayList<>(tokens.length);
        for (int r = 0; r < tokens.length; r++) {
            out.add(new Completion(Arrays.copyOf(tokens[r], lengths[r]),
                    Arrays.copyOf(logprobs[r], lengths[r]),
                    stopped[r] ? FinishReason.STOP : FinishReason.LENGTH));
        }
        return out;
    }
}
