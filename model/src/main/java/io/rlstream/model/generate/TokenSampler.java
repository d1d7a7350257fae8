package io.rlstream.model.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Chooses the next token from one row of logits, in Java, as transformers' sampling does:
 * {@code TemperatureLogitsWarper} (logits / T in fp32), {@code TopKLogitsWarper} (keep scores
 * {@code >=} the k-th largest), {@code TopPLogitsWarper} (sort ascending, softmax, cumulative sum,
 * drop the tokens whose cumulative probability is {@code <= 1 - top_p}, never the most probable),
 * then a draw from the softmax over the kept tokens.
 *
 * <p>The log-probability returned with each token is that of the distribution the token was drawn
 * from: {@code s_tok - logsumexp(s over the kept tokens)} with {@code s = logits / T}. This is the
 * behaviour policy π_old of the sampled token, what a trainer's importance ratio needs when the
 * rollout was drawn at that temperature and nucleus. At temperature 0 (greedy, a point mass whose
 * log-probability would always be 0) the log-softmax of the unscaled logits is returned instead,
 * as vLLM does by default.
 *
 * <p>Sums and exponentials are computed in double. Ties in top-p's sort are broken towards the
 * lower token id (kept first); greedy picks the lowest id among equal maxima. Deterministic given
 * the random generator's state.
 */
public final class TokenSampler {

    /** A chosen token and its log-probability. */
    public record Choice(int token, float logprob) {}

    private final SamplingParams params;

    public TokenSampler(SamplingParams params) {
        this.params = params;
    }

    public SamplingParams params() {
        return params;
    }

    /** Chooses from {@code logits[offset, offset + vocab)}. */
    public Choice choose(float[] logits, int offset, int vocab, SplittableRandom rng) {
        checkFinite(logits, offset, vocab);
        if (params.temperature() == 0) {
            int best = 0;
            for (int i = 1; i < vocab; i++) {
                if (logits[offset + i] > logits[offset + best]) {
                    best = i;
                }
            }
            double max = logits[offset + best];
            double z = 0;
            for (int i = 0; i < vocab; i++) {
                z += Math.exp(logits[offset + i] - max);
            }
            return new Choice(best, (float) (-Math.log(z)));
        }
        float[] s = scaled(logits, offset, vocab);
        int[] kept = kept(s);
        double max = Double.NEGATIVE_INFINITY;
        for (int i : kept) {
            max = Math.max(max, s[i]);
        }
        double[] w = new double[kept.length];
        double z = 0;
        for (int j = 0; j < kept.length; j++) {
            w[j] = Math.exp(s[kept[j]] - max);
            z += w[j];
        }
        double u = rng.nextDouble() * z;
        int chosen = kept.length - 1;
        double acc = 0;
        for (int j = 0; j < kept.length; j++) {
            acc += w[j];
            if (u < acc) {
                chosen = j;
                break;
            }
        }
        int token = kept[chosen];
        return new Choice(token, (float) (s[token] - max - Math.log(z)));
    }

    /**
     * The tokens that top-k and top-p keep at this temperature, in ascending token id (every token
     * when both are off). At temperature 0 only the argmax.
     */
    public int[] kept(float[] logits, int offset, int vocab) {
        checkFinite(logits, offset, vocab);
        if (params.temperature() == 0) {
            int best = 0;
            for (int i = 1; i < vocab; i++) {
                if (logits[offset + i] > logits[offset + best]) {
                    best = i;
                }
            }
            return new int[] {best};
        }
        int[] kept = kept(scaled(logits, offset, vocab));
        Arrays.sort(kept);
        return kept;
    }

    /** Log-probabilities (over the whole vocabulary, -inf for dropped tokens) that {@link #choose} draws from. */
    public double[] distribution(float[] logits, int offset, int vocab) {
        double[] out = new double[vocab];
        Arrays.fill(out, Double.NEGATIVE_INFINITY);
        if (params.temperature() == 0) {
            out[kept(logits, offset, vocab)[0]] = 0;
            return out;
        }
        float[] s = scaled(logits, offset, vocab);
        int[] kept = kept(s);
        double max = Double.NEGATIVE_INFINITY;
        for (int i : kept) {
            max = Math.max(max, s[i]);
        }
        double z = 0;
        for (int i : kept) {
            z += Math.exp(s[i] - max);
        }
        double log = max + Math.log(z);
        for (int i : kept) {
            out[i] = s[i] - log;
        }
        return out;
    }

    private float[] scaled(float[] logits, int offset, int vocab) {
        float t = (float) params.temperature();
        float[] s = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            s[i] = logits[offset + i] / t;
        }
        return s;
    }

    /** Indices kept by top-k then top-p, most probable last (top-p) or in id order (no top-p). */
    private int[] kept(float[] s) {
        int vocab = s.length;
        int[] candidates;
        if (params.topK() > 0 && params.topK() < vocab) {
            float[] sorted = s.clone();
            Arrays.sort(sorted);
            float threshold = sorted[vocab - params.topK()];
            int n = 0;
            for (float v : s) {
                if (v >= threshold) {
                    n++;
                }
            }
            candidates = new int[n];
            n = 0;
            for (int i = 0; i < vocab; i++) {
                if (s[i] >= threshold) {
                    candidates[n++] = i;
                }
            }
        } else {
            candidates = new int[vocab];
            for (int i = 0; i < vocab; i++) {
                candidates[i] = i;
            }
        }
        if (params.topP() >= 1) {
            return candidates;
        }
        // ascending by score; among equal scores the higher id first, so that it is dropped first
        long[] keys = new long[candidates.length];
        for (int j = 0; j < candidates.length; j++) {
            int i = candidates[j];
            keys[j] = ((long) sortable(s[i]) << 32) | (0xffffffffL & (Integer.MAX_VALUE - i));
        }
        Arrays.sort(keys);
        int n = keys.length;
        int[] order = new int[n];
        for (int j = 0; j < n; j++) {
            order[j] = Integer.MAX_VALUE - (int) (keys[j] & 0xffffffffL);
        }
        double max = s[order[n - 1]];
        double z = 0;
        for (int i : order) {
            z += Math.exp(s[i] - max);
        }
        double limit = 1 - params.topP();
        double cumulative = 0;
        int first = 0;
        while (first < n - 1) {
            cumulative += Math.exp(s[order[first]] - max) / z;
            if (cumulative > limit) {
                break;
            }
            first++;
        }
        return Arrays.copyOfRange(order, first, n);
    }

    /** An int ordering like the float (no NaN here). */
    private static int sortable(float f) {
        int bits = Float.floatToIntBits(f == 0f ? 0f : f);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    private static void checkFinite(float[] logits, int offset, int vocab) {
        for (int i = 0; i < vocab; i++) {
            if (Float.isNaN(logits[offset + i])) {
                throw new IllegalStateException("NaN logit at token " + i);
            }
        }
    }
}
