package io.rlstream.bench;

import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.hf.DecoderConfig;
import java.util.Locale;

/**
 * The shape of a random Llama-family model of about a given parameter count, for
 * {@code rlstream bench model --sizes}: head_dim 64 (as Llama's), as many key/value heads as query
 * heads, SwiGLU intermediate size Llama's 8/3 of hidden rounded up to a multiple of 32, tied
 * embeddings (as SmolLM and Llama 3.2 1B).
 *
 * <p>Vocabulary: 32,000 (Llama 2's) unless that would make the embedding more than half the
 * parameters at the width tried; then the largest power of two that keeps it at half (at least
 * 256). This keeps the embedding's share near that of real small models (tied tables: SmolLM-135M
 * 49,152 x 576 = 21%, Llama 3.2 1B 128,256 x 2,048 = 21%, Qwen3-0.6B 151,936 x 1,024 = 26%) where
 * a 32k table would be most of a 10M model and cannot fit a 1M one at any useful width (32,000 x
 * 32 is 1M already). So 50M gets 32,000; 10M and 1M get 8,192 and 2,048 (printed with each shape).
 *
 * <p>Among all hidden sizes (multiples of 64) and depths whose count is within 10% of the target,
 * the one whose hidden/layers ratio is closest to {@value #ASPECT} (Llama 3.2 1B: 128, TinyLlama:
 * 93, Pythia-70M: 85, SmolLM-360M: 30; Kaplan et al. 2020, fig. 5: loss is flat over a wide range
 * of aspect ratios); if none is within 10%, the nearest count.
 *
 * @param parameters the count of {@link DecoderConfig#parameterCount()} for this shape
 */
record ModelShape(int layers, int hidden, int heads, int intermediate, int vocab, long parameters) {

    static final int HEAD_DIM = 64;
    static final int MAX_VOCAB = 32_000;
    static final int MIN_VOCAB = 256;
    static final double ASPECT = 64;
    static final long MIN_PARAMETERS = 50_000;
    static final long MAX_PARAMETERS = 20_000_000_000L;

    /** The shape chosen for {@code target} parameters (see the class comment). */
    static ModelShape forParameters(long target) {
        if (target < MIN_PARAMETERS || target > MAX_PARAMETERS) {
            throw new IllegalArgumentException("model sizes must be in " + label(MIN_PARAMETERS) + ".."
                    + label(MAX_PARAMETERS) + ", got " + label(target));
        }
        ModelShape best = null;
        double bestScore = Double.MAX_VALUE;
        for (int hidden = HEAD_DIM; hidden <= 8192; hidden += HEAD_DIM) {
            int vocab = vocabFor(target, hidden);
            for (int layers = 1; layers <= 128; layers++) {
                ModelShape s = of(layers, hidden, vocab);
                double error = Math.abs(Math.log((double) s.parameters / target));
                // within 10%: the aspect ratio decides; otherwise the count (offset to rank after)
                double score = error <= Math.log(1.1) ? Math.abs(Math.log((double) hidden / layers / ASPECT))
                        : 100 + error;
                if (score < bestScore) {
                    bestScore = score;
                    best = s;
                }
                if (s.parameters > 2 * target) {
                    break;
                }
            }
        }
        return best;
    }

    /** The shape with these layers, hidden size and vocabulary (the rest as the class comment says). */
    static ModelShape of(int layers, int hidden, int vocab) {
        int intermediate = 32 * (int) Math.ceil(8.0 * hidden / 3 / 32);
        int heads = Math.max(1, hidden / HEAD_DIM);
        ModelShape s = new ModelShape(layers, hidden, heads, intermediate, vocab, 0);
        return new ModelShape(layers, hidden, heads, intermediate, vocab, s.config().parameterCount());
    }

    static int vocabFor(long target, int hidden) {
        long half = target / (2L * hidden);
        if (half >= MAX_VOCAB) {
            return MAX_VOCAB;
        }
        return (int) Math.max(MIN_VOCAB, Long.highestOneBit(Math.max(1, half)));
    }

    /** The Llama config of this shape (transformers' defaults otherwise, {@link DecoderConfig#of}). */
    DecoderConfig config() {
        return DecoderConfig.of(DecoderArchitecture.LLAMA, vocab, hidden, intermediate, layers, heads, heads, true);
    }

    String describe() {
        return String.format(Locale.ROOT, "llama, %d layers, hidden %d, %d heads (head_dim %d), intermediate %d, "
                + "vocab %d, tied embeddings: %s parameters", layers, hidden, heads, hidden / heads, intermediate, vocab,
                label(parameters));
    }

    /**
     * A parameter count: {@code 1M}, {@code 0.2M}, {@code 500k}, {@code 1.5B} or a plain number
     * ({@code 1_000} allowed); k = 10^3, M = 10^6, B = 10^9 (case-insensitive).
     */
    static long parseCount(String text) {
        String t = text.trim().replace("_", "");
        double scale = 1;
        if (!t.isEmpty()) {
            switch (Character.toUpperCase(t.charAt(t.length() - 1))) {
                case 'K' -> scale = 1e3;
                case 'M' -> scale = 1e6;
                case 'B', 'G' -> scale = 1e9;
                default -> scale = 1;
            }
        }
        String number = scale == 1 ? t : t.substring(0, t.length() - 1);
        double value;
        try {
            value = Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a model size is a number with k, M or B, e.g. 10M or 0.5M; got '"
                    + text + "'");
        }
        if (!(value > 0) || Double.isInfinite(value) || number.contains("e") || number.contains("E")) {
            throw new IllegalArgumentException("a model size is a positive number with k, M or B, e.g. 10M; got '"
                    + text + "'");
        }
        return Math.round(value * scale);
    }

    /** A count as people write it: 1.06M, 48.5M, 1.2B, 172k. */
    static String label(long count) {
        if (count >= 1_000_000_000L) {
            return trim(count / 1e9) + "B";
        }
        if (count >= 1_000_000L) {
            return trim(count / 1e6) + "M";
        }
        if (count >= 1_000L) {
            return trim(count / 1e3) + "k";
        }
        return Long.toString(count);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }
}
