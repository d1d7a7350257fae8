package io.rlstream.producers.serve;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.rlstream.model.decoder.DecoderModel;
import io.rlstream.model.generate.SamplingParams;
import io.rlstream.model.generate.TokenSampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The k most probable tokens at each position of a completion, for {@code logprobs} > 0 (vLLM) and
 * {@code top_logprobs_num} > 0 (SGLang): one teacher-forced pass of the model over prompt and
 * completion, each position's distribution the one the token was drawn from
 * ({@link TokenSampler#distribution}: temperature, top-k and top-p applied, renormalised); at
 * temperature 0 the model's own distribution, as the chosen tokens' log-probs are. Tokens that
 * top-k or top-p dropped (log-prob -inf) are not listed.
 */
final class TopLogprobs {

    /** One listed token. */
    record Entry(int token, double logprob) {}

    private TopLogprobs() {
    }

    /** Per position of {@code completion}, its {@code k} most probable tokens, most probable first. */
    static List<List<Entry>> of(DecoderModel model, int[] prompt, int[] completion, SamplingParams params, int k) {
        SamplingParams scoring = params.temperature() == 0
                ? SamplingParams.sample(1.0, 1.0, params.maxNewTokens(), params.stopTokenIds()) : params;
        TokenSampler sampler = new TokenSampler(scoring);
        int[] row = new int[prompt.length + completion.length - 1];
        System.arraycopy(prompt, 0, row, 0, prompt.length);
        System.arraycopy(completion, 0, row, prompt.length, completion.length - 1);
        int vocab = model.config().vocabSize();
        float[] logits;
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false); // no autograd graph for scoring (thread-local, restored)
        try (NDManager scope = model.newScope()) {
            logits = model.logits(scope, new int[][] {row}, 0, false).toFloatArray();
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        List<List<Entry>> out = new ArrayList<>(completion.length);
        for (int j = 0; j < completion.length; j++) {
            int position = prompt.length - 1 + j;
            double[] lp = sampler.distribution(logits, position * vocab, vocab);
            Integer[] order = new Integer[vocab];
            for (int v = 0; v < vocab; v++) {
                order[v] = v;
            }
            Arrays.sort(order, Comparator.comparingDouble((Integer v) -> -lp[v]).thenComparingInt(v -> v));
            List<Entry> top = new ArrayList<>(k);
            for (int i = 0; i < Math.min(k, vocab) && lp[order[i]] > Double.NEGATIVE_INFINITY; i++) {
                top.add(new Entry(order[i], lp[order[i]]));
            }
            out.add(top);
        }
        return out;
    }
}
