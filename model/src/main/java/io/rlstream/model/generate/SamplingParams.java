package io.rlstream.model.generate;

import java.util.Arrays;

/**
 * How tokens are chosen (applied in transformers' order: temperature, then top-k, then top-p).
 *
 * @param temperature 0 for greedy decoding (argmax), otherwise the logits are divided by it
 * @param topP nucleus sampling: keep the smallest set of most probable tokens whose probability
 *     sums to at least {@code topP} (always at least one); 1 keeps every token
 * @param topK keep the {@code topK} highest logits (and ties with the k-th); 0 keeps every token
 * @param maxNewTokens the most tokens generated per prompt
 * @param stopTokenIds generation of a row ends after it samples one of these (e.g. eos)
 */
public record SamplingParams(double temperature, double topP, int topK, int maxNewTokens, int[] stopTokenIds) {

    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0 (0: off), got " + topK);
        }
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("max new tokens must be >= 0, got " + maxNewTokens);
        }
        stopTokenIds = stopTokenIds == null ? new int[0] : stopTokenIds.clone();
    }

    /** Greedy decoding. */
    public static SamplingParams greedy(int maxNewTokens, int... stopTokenIds) {
        return new SamplingParams(0, 1, 0, maxNewTokens, stopTokenIds);
    }

    /** Sampling at {@code temperature} with nucleus {@code topP}, no top-k. */
    public static SamplingParams sample(double temperature, double topP, int maxNewTokens, int... stopTokenIds) {
        return new SamplingParams(temperature, topP, 0, maxNewTokens, stopTokenIds);
    }

    @Override
    public int[] stopTokenIds() {
        return stopTokenIds.clone();
    }

    public boolean isStop(int token) {
        for (int s : stopTokenIds) {
            if (s == token) {
                return true;
            }
        }
        return false;
    }

    public SamplingParams withMaxNewTokens(int n) {
        return new SamplingParams(temperature, topP, topK, n, stopTokenIds);
    }

    public SamplingParams withStopTokenIds(int... ids) {
        return new SamplingParams(temperature, topP, topK, maxNewTokens, ids);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SamplingParams p && p.temperature == temperature && p.topP == topP
                && p.topK == topK && p.maxNewTokens == maxNewTokens && Arrays.equals(p.stopTokenIds, stopTokenIds);
    }

    @Override
    public int hashCode() {
        return Double.hashCode(temperature) * 31 + Arrays.hashCode(stopTokenIds) + maxNewTokens;
    }

    @Override
    public String toString() {
        return "SamplingParams[temperature=" + temperature + ", topP=" + topP + ", topK=" + topK
                + ", maxNewTokens=" + maxNewTokens + ", stopTokenIds=" + Arrays.toString(stopTokenIds) + "]";
    }
}
