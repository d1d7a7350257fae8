package io.rlstream.producers.rollouts.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * vLLM's OpenAI-compatible completions API, the {@code openai} backend.
 *
 * <p>Source: vllm/entrypoints/openai/protocol.py (vllm-project/vllm): {@code CompletionRequest}
 * takes {@code prompt} as a list of token ids, {@code n}, {@code temperature}, {@code top_p},
 * {@code max_tokens}, {@code stop_token_ids}, {@code seed}, {@code logprobs} (0: the sampled
 * token's log-prob only), {@code return_tokens_as_token_ids} ("tokens are represented as strings of
 * the form 'token_id:{token_id}'") and {@code return_token_ids} (vLLM 0.10.2+: each choice carries
 * {@code token_ids}); {@code CompletionResponse.choices[]} has {@code index}, {@code text},
 * {@code logprobs} ({@code CompletionLogProbs}: {@code tokens}, {@code token_logprobs},
 * {@code top_logprobs}, {@code text_offset}), {@code finish_reason} ("stop" | "length") and
 * {@code token_ids}. With {@code n} > 1 and a seed, vLLM gives child i the seed + i
 * (vllm/v1/engine/parallel_sampling.py), so the G samples differ.
 *
 * <p>Weight sync (a server started with {@code VLLM_SERVER_DEV_MODE=1}, whose dev endpoints are in
 * vllm/entrypoints/openai/api_server.py): POST /pause, POST /collective_rpc
 * {"method": "reload_weights", "kwargs": {"weights_path": DIR}}, POST /reset_prefix_cache, and
 * POST /resume, the last one also after a failed reload.
 */
public final class OpenAiProtocol implements ServerProtocol {

    private static final String TOKEN_ID_PREFIX = "token_id:";

    @Override
    public String generatePath() {
        return "/v1/completions";
    }

    @Override
    public JsonNode generateBody(GenerateRequest r) {
        ObjectNode body = JSON.createObjectNode();
        if (!r.model().isBlank()) {
            body.put("model", r.model());
        }
        ArrayNode prompt = body.putArray("prompt");
        for (int id : r.promptTokenIds()) {
            prompt.add(id);
        }
        body.put("n", r.n());
        body.put("temperature", r.temperature());
        body.put("top_p", r.topP());
        body.put("max_tokens", r.maxNewTokens());
        ArrayNode stops = body.putArray("stop_token_ids");
        for (int id : r.stopTokenIds()) {
            stops.add(id);
        }
        body.put("seed", r.seed());
        body.put("logprobs", 0);
        body.put("return_tokens_as_token_ids", true);
        body.put("return_token_ids", true);
        return body;
    }

    @Override
    public List<ServerSample> parseGenerate(JsonNode answer, int n) {
        JsonNode choices = answer == null ? null : answer.get("choices");
        if (choices == null || !choices.isArray()) {
            throw new MalformedResponseException("no choices array in the completion: " + abbreviate(answer));
        }
        if (choices.size() != n) {
            throw new MalformedResponseException("asked for n = " + n + " choices, got " + choices.size());
        }
        List<JsonNode> ordered = new ArrayList<>();
        choices.forEach(ordered::add);
        ordered.sort(Comparator.comparingInt(c -> c.path("index").asInt(0)));
        List<ServerSample> out = new ArrayList<>(n);
        for (JsonNode c : ordered) {
            out.add(sample(c));
        }
        return out;
    }

    private static ServerSample sample(JsonNode choice) {
        String where = "choices[" + choice.path("index").asInt(0) + "]";
        JsonNode logprobs = choice.get("logprobs");
        if (logprobs == null || !logprobs.isObject()) {
            throw new MalformedResponseException(where + " has no logprobs (the request asks for logprobs = 0)");
        }
        JsonNode values = logprobs.get("token_logprobs");
        if (values == null || !values.isArray()) {
            throw new MalformedResponseException(where + ".logprobs has no token_logprobs array");
        }
        float[] lps = new float[values.size()];
        for (int i = 0; i < lps.length; i++) {
            lps[i] = ServerProtocol.logprob(values.get(i), where + ".logprobs.token_logprobs[" + i + "]");
        }
        JsonNode tokenIds = choice.get("token_ids");
        int[] ids = tokenIds != null && tokenIds.isArray() ? ServerProtocol.ints(tokenIds, where + ".token_ids")
                : idsFromTokens(logprobs.get("tokens"), where);
        String finish = choice.path("finish_reason").asText("");
        boolean truncated = switch (finish) {
            case "length" -> true;
            case "stop" -> false;
            default -> throw new MalformedResponseException(where + " finished with '" + finish
                    + "', expected stop or length");
        };
        return new ServerSample(ids, lps, truncated, null);
    }

    /** return_tokens_as_token_ids: each token is "token_id:ID" (vLLM before return_token_ids). */
    private static int[] idsFromTokens(JsonNode tokens, String where) {
        if (tokens == null || !tokens.isArray()) {
            throw new MalformedResponseException(where + " has neither token_ids nor logprobs.tokens");
        }
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            String t = tokens.get(i).asText();
            if (!t.startsWith(TOKEN_ID_PREFIX)) {
                throw new MalformedResponseException(where + ".logprobs.tokens[" + i + "] = '" + t
                        + "' is not 'token_id:ID' (does the server know return_tokens_as_token_ids?)");
            }
            try {
                ids[i] = Integer.parseInt(t.substring(TOKEN_ID_PREFIX.length()));
            } catch (NumberFormatException e) {
                throw new MalformedResponseException(where + ".logprobs.tokens[" + i + "] = '" + t + "' has no integer id");
            }
        }
        return ids;
    }

    @Override
    public List<SyncStep> syncSteps(Path dir, long version) {
        ObjectNode rpc = JSON.createObjectNode();
        rpc.put("method", "reload_weights");
        rpc.putObject("kwargs").put("weights_path", dir.toString());
        return List.of(new SyncStep("/pause", null, false), new SyncStep("/collective_rpc", rpc, false),
                new SyncStep("/reset_prefix_cache", null, false));
    }

    @Override
    public Optional<SyncStep> syncCleanup() {
        return Optional.of(new SyncStep("/resume", null, false));
    }

    static String abbreviate(JsonNode node) {
        String s = String.valueOf(node);
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
