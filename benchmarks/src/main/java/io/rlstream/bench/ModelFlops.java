package io.rlstream.bench;

import io.rlstream.model.hf.DecoderConfig;

/**
 * The floating-point operations of one training step of {@code ResponseScorer.backward} (forward
 * and backward) on B rows of P prompt and R response tokens, by the standard count: 6 FLOPs per
 * parameter per token (2 forward, 4 backward; Kaplan et al. 2020, "Scaling Laws for Neural
 * Language Models", section 2.1 and table 1) plus the attention term 12 · L · H · Q · T per token
 * (PaLM, Chowdhery et al. 2022, appendix B: H heads of size Q, context T), and a multiply-add
 * counted as 2 FLOPs.
 *
 * <p>Which tokens count: the decoder runs over T = P + R - 1 positions per row (the prompt and
 * every response token but the last, which is only a target), so the decoder's parameters (all
 * but the embedding table and the output head) count B · T tokens, and the attention term uses
 * that T (the implementation computes the full masked T × T score matrix). The output head runs on
 * the R response positions only (the scorer never computes prompt logits), so its V · hidden
 * weights count B · R tokens. The embedding lookup is no matmul and counts nothing. Model FLOPs, as
 * PaLM's MFU: the scorer's second forward pass of the head (it recomputes the logits chunk by chunk
 * rather than keep them) is work done but not counted.
 *
 * <p>A forward pass alone is a third of that (2 of the 6 FLOPs per parameter per token, and a third
 * of PaLM's attention term, which also counts forward and backward). The trainer's
 * {@code PolicyTrainer.rlStep} with one mini-batch runs one forward pass without gradient (the log
 * π at the start of the step) and then, per update, a forward and backward pass over the same
 * padded batch ({@link #rlStep}).
 */
final class ModelFlops {

    private ModelFlops() {
    }

    /** Parameters of the decoder layers and the final norm: the count without embedding and head. */
    static long bodyParameters(DecoderConfig c) {
        long table = (long) c.vocabSize() * c.hiddenSize();
        return c.parameterCount() - (c.tieWordEmbeddings() ? table : 2 * table);
    }

    /** Positions the decoder processes per row: P + R - 1. */
    static long positions(int promptTokens, int responseTokens) {
        return promptTokens + responseTokens - 1L;
    }

    /** FLOPs of one training step (see the class comment). */
    static double trainingStep(DecoderConfig c, int batch, int promptTokens, int responseTokens) {
        double t = positions(promptTokens, responseTokens);
        double body = 6.0 * bodyParameters(c) * batch * t;
        double attention = 12.0 * c.numHiddenLayers() * c.numAttentionHeads() * c.headDim() * t * batch * t;
        double head = 6.0 * c.vocabSize() * c.hiddenSize() * batch * responseTokens;
        return body + attention + head;
    }

    /** FLOPs of a forward pass alone over the same tokens: a third of {@link #trainingStep}. */
    static double forwardPass(DecoderConfig c, int batch, int promptTokens, int responseTokens) {
        return trainingStep(c, batch, promptTokens, responseTokens) / 3;
    }

    /**
     * FLOPs of one {@code PolicyTrainer.rlStep} with one mini-batch and no reference policy: a
     * forward pass without gradient plus {@code updates} forward and backward passes, over B rows of
     * P prompt positions (the longest prompt; shorter ones are left-padded) and R response positions
     * (the longest response; shorter ones are right-filled). Padding is computed, so it is counted.
     */
    static double rlStep(DecoderConfig c, int updates, int batch, int promptTokens, int responseTokens) {
        return forwardPass(c, batch, promptTokens, responseTokens)
                + updates * trainingStep(c, batch, promptTokens, responseTokens);
    }

    /** FLOPs of an n × n by n × n matrix product: n^3 multiply-adds. */
    static double squareMatmul(int n) {
        return 2.0 * n * n * n;
    }

    /** Achieved FLOP/s as a percentage of the peak FLOP/s. */
    static double percentOfPeak(double flops, double seconds, double peakFlopsPerSecond) {
        return 100.0 * flops / seconds / peakFlopsPerSecond;
    }
}
