package io.rlstream.producers.rollouts.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * SGLang's native API, the {@code sglang} backend.
 *
 * <p>Sources (sgl-project/sglang): python/sglang/srt/managers/io_struct.py {@code GenerateReqInput}
 * ({@code input_ids}, {@code sampling_params} with {@code n}, {@code temperature}, {@code top_p},
 * {@code max_new_tokens}, {@code stop_token_ids}, and {@code return_logprob}); the /generate answer
 * built in python/sglang/srt/managers/tokenizer_manager.py: one object
 * {@code {"text", "output_ids", "meta_info"}} per sample (a JSON array of them when n > 1), with
 * {@code meta_info.output_token_logprobs = [[logprob, token_id, text_or_null], ...]},
 * {@code meta_info.finish_reason = {"type": "stop" | "length" | "abort", ...}} and
 * {@code meta_info.weight_version}; docs/basic_usage/native_api.md for /update_weights_from_disk
 * {"model_path", "weight_version"} answering {"success": bool, "message": str}.
 */
public final class SglangProtocol implements ServerProtocol {

    @Override
    public String generatePath() {
        return "/generate";
    }

    @Override
    public JsonNode generateBody(GenerateRequest r) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode input = body.putArray("input_ids");
        for (int id : r.promptTokenIds()) {
            input.add(id);
        }
        ObjectNode sampling = body.putObject("sampling_params");
        sampling.put("n", r.n());
        sampling.put("temperature", r.temperature());
        sampling.put("top_p", r.topP());
        sampling.put("max_new_tokens", r.maxNewTokens());
        ArrayNode stops = sampling.putArray("stop_token_ids");
        for (int id : r.stopTokenIds()) {
            stops.add(id);
        }
        body.put("return_logprob", true);
        return body;
    }

    @Override
    public List<ServerSample> parseGenerate(JsonNode answer, int n) {
        List<JsonNode> items = new ArrayList<>();
        if (answer != null && answer.isArray()) {
            answer.forEach(items::add);
        } else if (answer != null && answer.isObject()) {
            items.add(answer);
        } else {
            throw new MalformedResponseException("the /generate answer is neither an object nor an array: "
                    + OpenAiProtocol.abbreviate(answer));
        }
        if (items.size() != n) {
            throw new MalformedResponseException("asked for n = " + n + " samples, got " + items.size());
        }
        List<ServerSample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(sample(items.get(i), "sample " + i));
        }
        return out;
    }

    private static ServerSample sample(JsonNode item, String where) {
        JsonNode meta = item.get("meta_info");
        if (meta == null || !meta.isObject()) {
            throw new MalformedResponseException(where + " has no meta_info");
        }
        JsonNode triples = meta.get("output_token_logprobs");
        if (triples == null || !triples.isArray()) {
            throw new MalformedResponseException(where + " has no meta_info.output_token_logprobs (the request asks for return_logprob)");
        }
        float[] lps = new float[triples.size()];
        int[] fromTriples = new int[triples.size()];
        for (int i = 0; i < lps.length; i++) {
            JsonNode t = triples.get(i);
            String what = where + ".meta_info.output_token_logprobs[" + i + "]";
            if (!t.isArray() || t.size() < 2) {
                throw new MalformedResponseException(what + " is not [logprob, token_id, text]: " + t);
            }
            lps[i] = ServerProtocol.logprob(t.get(0), what + "[0]");
            if (!t.get(1).isIntegralNumber()) {
                throw new MalformedResponseException(what + "[1] is not a token id: " + t.get(1));
            }
            fromTriples[i] = t.get(1).intValue();
        }
        int[] ids = fromTriples;
        if (item.hasNonNull("output_ids")) {
            ids = ServerProtocol.ints(item.get("output_ids"), where + ".output_ids");
            if (!Arrays.equals(ids, fromTriples)) {
                throw new MalformedResponseException(where + ": output_ids " + Arrays.toString(ids)
                        + " differ from the ids in output_token_logprobs " + Arrays.toString(fromTriples));
            }
        }
        JsonNode finish = meta.get("finish_reason");
        String type = finish == null ? "" : finish.isObject() ? finish.path("type").asText("") : finish.asText("");
        boolean truncated = switch (type) {
            case "length" -> true;
            case "stop" -> false;
            default -> throw new MalformedResponseException(where + " finished with " + finish
                    + ", expected type stop or length");
        };
        return new ServerSample(ids, lps, truncated, version(meta.get("weight_version")));
    }

    /** meta_info.weight_version when it is a whole number ("default" when the server was started without one). */
    static Long version(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            return Long.parseLong(v.asText().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public List<SyncStep> syncSteps(Path dir, long version) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model_path", dir.toString());
        body.put("weight_version", Long.toString(version));
        return List.of(new SyncStep("/update_weights_from_disk", body, true));
    }

    @Override
    public Optional<SyncStep> syncCleanup() {
        return Optional.empty();
    }
}
