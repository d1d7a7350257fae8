package io.rlstream.producers.serve;

import io.rlstream.model.generate.Completion;
import io.rlstream.model.generate.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One request's generation: every prompt {@code n} times, in one batch, prompt-major (the
 * samples of prompt 0, then those of prompt 1, ...: the order of vLLM's choices and of SGLang's
 * list output). Checks what the model cannot take (token ids outside the vocabulary, a prompt
 * and max tokens longer than the context) as 400s before generating.
 *
 * @param seed the request's seed, or null for a fresh random one; the same seed, weights and
 *     request give the same output
 */
record GenerationJob(List<int[]> prompts, int n, SamplingParams params, Long seed) {

    /** Most samples of one request: enough for any group size, and a bound on one batch's memory. */
    static final int MAX_ROWS = 1024;

    /** The completions of prompt {@code prompt}, sample {@code sample}: {@code rows.get(prompt * n + sample)}. */
    record Output(List<Completion> rows, String version) {}

    Output run(ServedModel model) {
        if (prompts.isEmpty()) {
            throw ApiException.badRequest("no prompt given");
        }
        if (n < 1) {
            throw ApiException.badRequest("n must be at least 1, got " + n);
        }
        if ((long) n * prompts.size() > MAX_ROWS) {
            throw ApiException.badRequest(prompts.size() + " prompts times n = " + n + " is more than "
                    + MAX_ROWS + " samples in one request");
        }
        if (params.maxNewTokens() < 1) {
            throw ApiException.badRequest("max tokens must be at least 1, got " + params.maxNewTokens());
        }
        int vocab = model.vocabSize();
        for (int[] prompt : prompts) {
            if (prompt.length == 0) {
                throw ApiException.badRequest("The prompt cannot be empty");
            }
            for (int id : prompt) {
                if (id < 0 || id >= vocab) {
                    throw ApiException.badRequest("Token id " + id + " is out of vocabulary (size " + vocab + ")");
                }
            }
            // vLLM's message for the same check (serving_engine.py _validate_input).
            if (prompt.length + params.maxNewTokens() > model.contextLength()) {
                throw ApiException.badRequest("This model's maximum context length is " + model.contextLength()
                        + " tokens. However, you requested " + (prompt.length + params.maxNewTokens()) + " tokens ("
                        + prompt.length + " in the messages, " + params.maxNewTokens()
                        + " in the completion). Please reduce the length of the messages or completion.");
            }
        }
        for (int id : params.stopTokenIds()) {
            if (id < 0 || id >= vocab) {
                throw ApiException.badRequest("stop token id " + id + " is out of vocabulary (size " + vocab + ")");
            }
        }
        List<int[]> rows = new ArrayList<>(prompts.size() * n);
        for (int[] prompt : prompts) {
            for (int j = 0; j < n; j++) {
                rows.add(prompt);
            }
        }
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        ServedModel.Result result = model.generate(rows, params, s);
        return new Output(result.completions(), result.version());
    }

    /** The model's stop ids plus the request's, or only the request's when it ignores eos. */
    static int[] stopIds(ServedModel model, int[] requested, boolean ignoreEos) {
        java.util.LinkedHashSet<Integer> ids = new java.util.LinkedHashSet<>();
        if (!ignoreEos) {
            for (int id : model.eosTokenIds()) {
                ids.add(id);
            }
        }
        for (int id : requested) {
            ids.add(id);
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Sampling settings from a request's values (null: the model's default): temperature 0 is
     * greedy; top_k -1 or 0 is off (vLLM's and SGLang's "off" is -1).
     */
    static SamplingParams params(ServedModel model, Double temperature, Double topP, Integer topK, int maxNewTokens,
                                 int[] stopIds) {
        SamplingParams d = model.defaults(maxNewTokens);
        double t = temperature != null ? temperature : d.temperature();
        double p = topP != null ? topP : d.topP();
        int k = topK != null ? topK : d.topK();
        if (!(t >= 0) || Double.isInfinite(t)) {
            throw ApiException.badRequest("temperature must be finite and >= 0, got " + t);
        }
        if (!(p > 0 && p <= 1)) {
            throw ApiException.badRequest("top_p must be in (0, 1], got " + p);
        }
        if (k < -1) {
            throw ApiException.badRequest("top_k must be -1 (off) or at least 1, got " + k);
        }
        // vLLM treats temperatures below 1e-5 as greedy (sampling_params.py _SAMPLING_EPS).
        return new SamplingParams(t < 1e-5 ? 0 : t, p, Math.max(k, 0), maxNewTokens, stopIds);
    }
}
