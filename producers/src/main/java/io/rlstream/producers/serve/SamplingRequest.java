package io.rlstream.producers.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlstream.model.generate.SamplingParams;

/**
 * The sampling fields vLLM's requests and SGLang's sampling_params share (n, temperature, top_p,
 * top_k, stop_token_ids, ignore_eos and a seed), read from a request; null where the request
 * leaves the model's default.
 */
record SamplingRequest(int n, Double temperature, Double topP, Integer topK, int[] stopIds, boolean ignoreEos,
                       Long seed) {

    /** Reads them from {@code o}; the seed from {@code seedField} (vLLM "seed", SGLang "sampling_seed"). */
    static SamplingRequest read(JsonNode o, String seedField) {
        return new SamplingRequest(RequestFields.integer(o, "n", 1), RequestFields.number(o, "temperature", null),
                RequestFields.number(o, "top_p", null), RequestFields.integer(o, "top_k", null),
                RequestFields.intsField(o, "stop_token_ids"), RequestFields.bool(o, "ignore_eos", false),
                RequestFields.longValue(o, seedField, null));
    }

    /** The sampling settings for {@code maxNewTokens}, the model's stop ids added unless ignore_eos. */
    SamplingParams params(ServedModel model, int maxNewTokens) {
        return GenerationJob.params(model, temperature, topP, topK, maxNewTokens,
                GenerationJob.stopIds(model, stopIds, ignoreEos));
    }

    /** The generation of {@code prompts} with these settings. */
    GenerationJob job(java.util.List<int[]> prompts, SamplingParams params) {
        return new GenerationJob(prompts, n, params, seed);
    }
}
