package io.rlstream.model;

import java.util.SplittableRandom;

/** Picks the next token of one row from its logits; the decoding rule of {@link Policy}. */
interface TokenChooser {

    /** The chosen token and its log-probability. */
    record Choice(int token, float logprob) {}

    /** Chooses from {@code logits[offset .. offset + vocab)}. */
    Choice choose(float[] logits, int offset, int vocab);

    /** Draws from softmax(logits / T); the log-probability is that of the tempered distribution. */
    final class Sampling implements TokenChooser {
        private final double temperature;
        private final SplittableRandom random;

        Sampling(float temperature, long seed) {
            this.temperature = temperature;
            this.random = new SplittableRandom(seed);
        }

        @Override
        public Choice choose(float[] logits, int offset, int vocab) {
            double logZ = logSumExp(logits, offset, vocab, temperature);
            double u = random.nextDouble();
            double cumulative = 0;
            int token = -1;
            for (int v = 0; v < vocab; v++) {
                double p = Math.exp(logits[offset + v] / temperature - logZ);
                if (p > 0) {
                    token = v;
                    cumulative += p;
                    if (u < cumulative) {
                        break;
                    }
                }
            }
            // Rounding can leave cumulative a hair below u: the last token with mass is taken.
            return new Choice(token, (float) (logits[offset + token] / temperature - logZ));
        }
    }

    /** Argmax (lowest id on ties); the log-probability is that at temperature 1. */
    final class Greedy implements TokenChooser {
        @Override
        public Choice choose(float[] logits, int offset, int vocab) {
            int best = 0;
            for (int v = 1; v < vocab; v++) {
                if (logits[offset + v] > logits[offset + best]) {
                    best = v;
                }
            }
            double logZ = logSumExp(logits, offset, vocab, 1.0);
            return new Choice(best, (float) (logits[offset + best] - logZ));
        }
    }

    private static double logSumExp(float[] logits, int offset, int vocab, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, logits[offset + v] / temperature);
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            sum += Math.exp(logits[offset + v] / temperature - max);
        }
        return max + Math.log(sum);
    }
}
