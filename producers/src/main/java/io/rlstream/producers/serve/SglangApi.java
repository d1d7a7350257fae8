package io.rlstream.producers.serve;

import static io.rlstream.producers.serve.RequestFields.absent;
import static io.rlstream.producers.serve.RequestFields.bool;
import static io.rlstream.producers.serve.RequestFields.integer;
import static io.rlstream.producers.serve.RequestFields.ints;
import static io.rlstream.producers.serve.RequestFields.longValue;
import static io.rlstream.producers.serve.RequestFields.number;
import static io.rlstream.producers.serve.RequestFields.string;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlstream.model.generate.Completion;
import io.rlstream.model.generate.FinishReason;
import io.rlstream.model.generate.SamplingParams;
import io.rlstream.model.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * SGLang's native endpoints: {@code POST /generate} with the fields of GenerateReqInput
 * (python/sglang/srt/managers/io_struct.py: text, input_ids, sampling_params, return_logprob, rid)
 * answered as tokenizer_manager.py builds each output ({"text", "output_ids", "meta_info": {"id",
 * "finish_reason", "prompt_tokens", "weight_version", "completion_tokens", "cached_tokens",
 * "e2e_latency", "output_token_logprobs": [[logprob, token_id, null], ...]}}, the finish reason as
 * FINISH_MATCHED_TOKEN / FINISH_LENGTH's to_json: {"type": "stop", "matched": id} or
 * {"type": "length", "length": n}); one object for one prompt and n = 1, else a list, prompt-major.
 * {@code POST /update_weights_from_disk} as http_server.py: {"success", "message",
 * "num_paused_requests"}, HTTP 200 or 400; {@code GET /get_model_info}.
 */
final class SglangApi {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** SGLang's default max_new_tokens (sampling_params.py). */
    static final int DEFAULT_MAX_NEW_TOKENS = 128;

    private final ServedModel model;

    SglangApi(ServedModel model) {
        this.model = model;
    }

    /** POST /generate: an object, or a list of objects (batch or n > 1). */
    JsonNode generate(JsonNode request) {
        boolean hasIds = !absent(request, "input_ids");
        boolean hasText = !absent(request, "text");
        if (hasIds == hasText) {
            throw ApiException.badRequest("Either text or input_ids should be provided (exactly one of them).");
        }
        if (bool(request, "stream", false)) {
            throw ApiException.badRequest("stream is not supported by this server");
        }
        JsonNode sp = RequestFields.object(request, "sampling_params");
        Integer top = integer(request, "top_logprobs_num", null);
        if (top != null && top != 0) {
            throw ApiException.badRequest("top_logprobs_num must be 0 on this server (it returns the chosen token's "
                    + "log-prob only), got " + top);
        }
        boolean returnLogprob = bool(request, "return_logprob", false);
        String rid = string(request, "rid", null);
        int n = integer(sp, "n", 1);
        int maxNew = integer(sp, "max_new_tokens", DEFAULT_MAX_NEW_TOKENS);
        int[] stopIds = RequestFields.intsField(sp, "stop_token_ids");
        boolean ignoreEos = bool(sp, "ignore_eos", false);
        boolean skipSpecial = bool(sp, "skip_special_tokens", true);
        Double temperature = number(sp, "temperature", null);
        Double topP = number(sp, "top_p", null);
        Integer topK = integer(sp, "top_k", null);
        Long seed = longValue(sp, "sampling_seed", null);
        JsonNode ids = request.get("input_ids");
        JsonNode text = request.get("text");
        long start = System.nanoTime();
        return model.exclusive(() -> {
            HfTokenizer tokenizer = model.tokenizer();
            List<int[]> prompts = new ArrayList<>();
            boolean batch;
            if (hasIds) {
                batch = RequestFields.isListOfLists(ids);
                if (batch) {
                    for (JsonNode p : ids) {
                        prompts.add(ints(p, "input_ids"));
                    }
                } else {
                    prompts.add(ints(ids, "input_ids"));
                }
            } else if (text.isTextual()) {
                batch = false;
                prompts.add(tokenizer.encode(text.textValue(), true));
            } else if (text.isArray()) {
                batch = true;
                for (String t : RequestFields.strings(text, "text")) {
                    prompts.add(tokenizer.encode(t, true));
                }
            } else {
                throw RequestFields.wrong("text", "a string or a list of strings", text);
            }
            SamplingParams params = GenerationJob.params(model, temperature, topP, topK, maxNew,
                    GenerationJob.stopIds(model, stopIds, ignoreEos));
            GenerationJob.Output out = new GenerationJob(prompts, n, params, seed).run(model);
            double latency = (System.nanoTime() - start) / 1e9;
            ArrayNode all = JSON.arrayNode();
            for (int i = 0; i < out.rows().size(); i++) {
                Completion c = out.rows().get(i);
                int[] tokens = c.tokens();
                ObjectNode item = all.addObject();
                item.put("text", tokenizer.decode(tokens, skipSpecial));
                item.set("output_ids", OpenAiApi.ids(tokens));
                ObjectNode meta = item.putObject("meta_info");
                meta.put("id", rid != null && out.rows().size() == 1 ? rid
                        : UUID.randomUUID().toString().replace("-", ""));
                ObjectNode finish = meta.putObject("finish_reason");
                if (c.finishReason() == FinishReason.STOP) {
                    finish.put("type", "stop");
                    finish.put("matched", tokens[tokens.length - 1]);
                } else {
                    finish.put("type", "length");
                    finish.put("length", tokens.length);
                }
                meta.put("prompt_tokens", prompts.get(i / n).length);
                meta.put("weight_version", out.version());
                meta.put("completion_tokens", tokens.length);
                meta.put("cached_tokens", 0);
                meta.put("e2e_latency", latency);
                if (returnLogprob) {
                    meta.putArray("input_token_logprobs");
                    ArrayNode lps = meta.putArray("output_token_logprobs");
                    float[] logprobs = c.logprobs();
                    for (int j = 0; j < tokens.length; j++) {
                        lps.addArray().add((double) logprobs[j]).add(tokens[j]).addNull();
                    }
                }
            }
            return batch || n > 1 ? all : all.get(0);
        });
    }

    /** POST /update_weights_from_disk; the HTTP status is 200 when success, else 400. */
    ObjectNode updateWeightsFromDisk(JsonNode request) {
        String path = string(request, "model_path", null);
        String version = string(request, "weight_version", null);
        ObjectNode out = JSON.objectNode();
        if (path == null || path.isBlank()) {
            out.put("success", false);
            out.put("message", "model_path is required");
        } else {
            try {
                model.reload(Path.of(path), version != null ? version : model.version());
                out.put("success", true);
                out.put("message", "Succeeded to update model weights."
                        + (version != null ? " Weight version updated to " + version + "." : ""));
            } catch (RuntimeException e) {
                out.put("success", false);
                out.put("message", "Failed to update weights: " + e.getMessage()
                        + ". Rolling back to the old weights (version " + model.version() + ").");
            }
        }
        out.put("num_paused_requests", 0);
        return out;
    }

    /** GET /get_model_info: the keys of SGLang's get_model_info this server has. */
    ObjectNode modelInfo() {
        ObjectNode out = JSON.objectNode();
        out.put("model_path", model.dir().toString());
        out.put("tokenizer_path", model.dir().toString());
        out.put("is_generation", true);
        out.put("weight_version", model.version());
        out.put("model_type", model.modelType());
        return out;
    }
}
