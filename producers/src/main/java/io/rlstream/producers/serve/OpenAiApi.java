package io.rlstream.producers.serve;

import static io.rlstream.producers.serve.RequestFields.absent;
import static io.rlstream.producers.serve.RequestFields.bool;
import static io.rlstream.producers.serve.RequestFields.integer;
import static io.rlstream.producers.serve.RequestFields.ints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlstream.model.generate.Completion;
import io.rlstream.model.generate.FinishReason;
import io.rlstream.model.generate.SamplingParams;
import io.rlstream.model.tokenizer.ChatMessage;
import io.rlstream.model.tokenizer.HfTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * vLLM's OpenAI-compatible {@code POST /v1/completions} and {@code POST /v1/chat/completions}: the
 * request fields and response shapes of vllm/entrypoints/openai/protocol.py (CompletionRequest,
 * CompletionResponse, CompletionResponseChoice, CompletionLogProbs, ChatCompletionRequest,
 * ChatCompletionResponse, ChatCompletionLogProbsContent, UsageInfo) and of serving_completion.py's
 * {@code _create_completion_logprobs} (text_offset, the -9999 floor, "token_id:ID" tokens), with
 * the vLLM extensions the rollout worker uses: stop_token_ids, seed, top_k, ignore_eos,
 * return_tokens_as_token_ids, return_token_ids.
 *
 * <p>Log-probs are those of the distribution each token was drawn from (after temperature and
 * top-p: vLLM's {@code --logprobs-mode processed_logprobs}); at temperature 0 those of the model's
 * distribution. With {@code logprobs} = k > 0 (chat: {@code top_logprobs}) each position also
 * lists the k most probable tokens of that distribution ({@link TopLogprobs}); vLLM's completion
 * top_logprobs hold the chosen token and those k.
 */
final class OpenAiApi {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** vLLM's default max_tokens of a completion (CompletionRequest.max_tokens = 16). */
    static final int DEFAULT_COMPLETION_TOKENS = 16;
    /** Most alternatives per position (vLLM's default --max-logprobs). */
    static final int MAX_TOP_LOGPROBS = 20;

    private final ServedModel model;

    OpenAiApi(ServedModel model) {
        this.model = model;
    }

    /** POST /v1/completions. */
    Served completions(JsonNode request) {
        if (absent(request, "prompt")) {
            throw ApiException.badRequest("'prompt' is required: a string, a list of token ids, or a list of those");
        }
        JsonNode promptNode = request.get("prompt");
        Integer logprobs = integer(request, "logprobs", null);
        if (logprobs != null && (logprobs < 0 || logprobs > MAX_TOP_LOGPROBS)) {
            throw ApiException.badRequest("logprobs must be between 0 and " + MAX_TOP_LOGPROBS + ", got " + logprobs);
        }
        boolean asIds = bool(request, "return_tokens_as_token_ids", false);
        boolean returnTokenIds = bool(request, "return_token_ids", false);
        if (bool(request, "stream", false)) {
            throw ApiException.badRequest("stream is not supported by this server");
        }
        if (bool(request, "echo", false)) {
            throw ApiException.badRequest("echo is not supported by this server");
        }
        SamplingRequest sampling = SamplingRequest.read(request, "seed");
        int n = sampling.n();
        int maxTokens = integer(request, "max_tokens", DEFAULT_COMPLETION_TOKENS);
        List<int[]> prompts = model.exclusive(() -> prompts(promptNode, model.tokenizer()));
        SamplingParams params = sampling.params(model, maxTokens);
        GenerationJob.Output out = sampling.job(prompts, params).run(model);
        int[] stopIds = sampling.stopIds();
        return new Served(model.exclusive(() -> {
            HfTokenizer tokenizer = model.tokenizer();
            ObjectNode response = head("cmpl-", "text_completion");
            ArrayNode choices = response.putArray("choices");
            long completionTokens = 0;
            for (int i = 0; i < out.rows().size(); i++) {
                Completion c = out.rows().get(i);
                int[] prompt = prompts.get(i / n);
                ObjectNode choice = choices.addObject();
                choice.put("index", i);
                choice.put("text", tokenizer.decode(c.tokens(), true));
                choice.set("logprobs", logprobs == null ? JSON.nullNode()
                        : completionLogprobs(tokenizer, c, asIds, top(prompt, c, params, logprobs)));
                choice.put("finish_reason", c.finishReason().wireName());
                choice.set("stop_reason", stopReason(c, stopIds));
                // vLLM dumps every field of CompletionResponseChoice: null when not asked for.
                choice.set("token_ids", returnTokenIds ? ids(c.tokens()) : JSON.nullNode());
                choice.putNull("prompt_logprobs");
                choice.set("prompt_token_ids", returnTokenIds ? ids(prompt) : JSON.nullNode());
                completionTokens += c.tokens().length;
            }
            long promptTokens = prompts.stream().mapToLong(p -> p.length).sum();
            response.set("usage", usage(promptTokens, completionTokens));
            return response;
        }), out.version());
    }

    /** POST /v1/chat/completions. */
    Served chatCompletions(JsonNode request) {
        JsonNode messagesNode = request.get("messages");
        if (messagesNode == null || !messagesNode.isArray() || messagesNode.isEmpty()) {
            throw ApiException.badRequest("'messages' must be a non-empty list of {\"role\", \"content\"} objects");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode m : messagesNode) {
            if (!m.isObject() || !m.path("role").isTextual() || !m.path("content").isTextual()) {
                throw RequestFields.wrong("messages", "a list of {\"role\": string, \"content\": string} objects", m);
            }
            try {
                messages.add(new ChatMessage(m.get("role").textValue(), m.get("content").textValue()));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage());
            }
        }
        boolean logprobs = bool(request, "logprobs", false);
        Integer top = integer(request, "top_logprobs", null);
        if (top != null && (top < 0 || top > MAX_TOP_LOGPROBS)) {
            throw ApiException.badRequest("top_logprobs must be between 0 and " + MAX_TOP_LOGPROBS + ", got " + top);
        }
        if (top != null && top > 0 && !logprobs) {
            throw ApiException.badRequest("when using `top_logprobs`, `logprobs` must be set to true.");
        }
        if (bool(request, "stream", false)) {
            throw ApiException.badRequest("stream is not supported by this server");
        }
        boolean asIds = bool(request, "return_tokens_as_token_ids", false);
        boolean returnTokenIds = bool(request, "return_token_ids", false);
        SamplingRequest sampling = SamplingRequest.read(request, "seed");
        int n = sampling.n();
        Integer maxTokens = integer(request, "max_completion_tokens", integer(request, "max_tokens", null));
        Boolean thinking = bool(RequestFields.object(request, "chat_template_kwargs"), "enable_thinking", null);
        int[] prompt = model.exclusive(() -> {
            try {
                return model.tokenizer().encodeChat(messages, true, thinking);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("cannot render the messages with the model's chat template: "
                        + e.getMessage());
            }
        });
        // vLLM: without max_tokens a chat completion may run to the end of the context.
        int max = maxTokens != null ? maxTokens : Math.max(1, model.contextLength() - prompt.length);
        SamplingParams params = sampling.params(model, max);
        GenerationJob.Output out = sampling.job(List.of(prompt), params).run(model);
        int[] stopIds = sampling.stopIds();
        return new Served(model.exclusive(() -> {
            HfTokenizer tokenizer = model.tokenizer();
            ObjectNode response = head("chatcmpl-", "chat.completion");
            ArrayNode choices = response.putArray("choices");
            long completionTokens = 0;
            for (int i = 0; i < out.rows().size(); i++) {
                Completion c = out.rows().get(i);
                ObjectNode choice = choices.addObject();
                choice.put("index", i);
                ObjectNode message = choice.putObject("message");
                message.put("role", "assistant");
                message.put("content", tokenizer.decode(c.tokens(), true));
                choice.set("logprobs", logprobs
                        ? chatLogprobs(tokenizer, c, asIds, top(prompt, c, params, top == null ? 0 : top))
                        : JSON.nullNode());
                choice.put("finish_reason", c.finishReason().wireName());
                choice.set("stop_reason", stopReason(c, stopIds));
                if (returnTokenIds) {
                    choice.set("token_ids", ids(c.tokens()));
                }
                completionTokens += c.tokens().length;
            }
            response.set("usage", usage(prompt.length, completionTokens));
            if (returnTokenIds) {
                response.set("prompt_token_ids", ids(prompt));
            }
            return response;
        }), out.version());
    }

    /** id, object, created and model of a response (vLLM's ids: a prefix and a random hex). */
    private ObjectNode head(String idPrefix, String object) {
        ObjectNode response = JSON.objectNode();
        response.put("id", idPrefix + UUID.randomUUID().toString().replace("-", ""));
        response.put("object", object);
        response.put("created", System.currentTimeMillis() / 1000);
        response.put("model", model.name());
        return response;
    }

    /** A string (encoded with the tokenizer's special tokens, as vLLM does), a list of ids, or a list of either. */
    private static List<int[]> prompts(JsonNode prompt, HfTokenizer tokenizer) {
        if (prompt.isTextual()) {
            return List.of(tokenizer.encode(prompt.textValue(), true));
        }
        if (RequestFields.isListOfLists(prompt)) {
            List<int[]> out = new ArrayList<>();
            for (JsonNode p : prompt) {
                out.add(ints(p, "prompt"));
            }
            return out;
        }
        if (prompt.isArray() && !prompt.isEmpty() && prompt.get(0).isTextual()) {
            List<int[]> out = new ArrayList<>();
            for (String text : RequestFields.strings(prompt, "prompt")) {
                out.add(tokenizer.encode(text, true));
            }
            return out;
        }
        if (prompt.isArray()) {
            return List.of(ints(prompt, "prompt"));
        }
        throw RequestFields.wrong("prompt", "a string, a list of token ids, or a list of those", prompt);
    }

    /**
     * vLLM's CompletionLogProbs: text_offset, token_logprobs, tokens, top_logprobs, as
     * {@code _create_completion_logprobs} builds them with logprobs = 0: each top_logprobs entry
     * holds the chosen token alone, log-probs floored at -9999, text_offset the running sum of the
     * previous tokens' lengths.
     */
    private static ObjectNode completionLogprobs(HfTokenizer tokenizer, Completion c, boolean asIds,
                                                 List<List<TopLogprobs.Entry>> topK) {
        ObjectNode out = JSON.objectNode();
        ArrayNode offsets = out.putArray("text_offset");
        ArrayNode logprobs = out.putArray("token_logprobs");
        ArrayNode tokens = out.putArray("tokens");
        ArrayNode top = out.putArray("top_logprobs");
        int[] ids = c.tokens();
        float[] lps = c.logprobs();
        int offset = 0;
        for (int j = 0; j < ids.length; j++) {
            String token = token(tokenizer, ids[j], asIds);
            double lp = Math.max(lps[j], -9999.0);
            offsets.add(offset);
            offset += token.length();
            logprobs.add(lp);
            tokens.add(token);
            ObjectNode entries = top.addObject();
            entries.put(token, lp);
            if (topK != null) {
                for (TopLogprobs.Entry e : topK.get(j)) {
                    entries.put(token(tokenizer, e.token(), asIds), Math.max(e.logprob(), -9999.0));
                }
            }
        }
        return out;
    }

    /** vLLM's ChatCompletionLogProbs: {"content": [{"token", "logprob", "bytes", "top_logprobs": []}]}. */
    private static ObjectNode chatLogprobs(HfTokenizer tokenizer, Completion c, boolean asIds,
                                           List<List<TopLogprobs.Entry>> topK) {
        ObjectNode out = JSON.objectNode();
        ArrayNode content = out.putArray("content");
        int[] ids = c.tokens();
        float[] lps = c.logprobs();
        for (int j = 0; j < ids.length; j++) {
            String token = token(tokenizer, ids[j], asIds);
            ObjectNode entry = content.addObject();
            entry.put("token", token);
            entry.put("logprob", Math.max(lps[j], -9999.0));
            entry.set("bytes", bytes(token));
            ArrayNode alternatives = entry.putArray("top_logprobs");
            if (topK != null) {
                for (TopLogprobs.Entry e : topK.get(j)) {
                    String t = token(tokenizer, e.token(), asIds);
                    alternatives.addObject().put("token", t).put("logprob", Math.max(e.logprob(), -9999.0))
                            .set("bytes", bytes(t));
                }
            }
        }
        return out;
    }

    private static ArrayNode bytes(String token) {
        ArrayNode bytes = JSON.arrayNode();
        for (byte b : token.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
        return bytes;
    }

    /** The k most probable tokens per position, or null for k = 0; call inside {@link ServedModel#exclusive}. */
    private List<List<TopLogprobs.Entry>> top(int[] prompt, Completion c, SamplingParams params, int k) {
        return k == 0 || c.tokens().length == 0 ? null
                : TopLogprobs.of(model.decoderModel(), prompt, c.tokens(), params, k);
    }

    /** The token's text, or "token_id:ID" with return_tokens_as_token_ids (vLLM's spelling). */
    static String token(HfTokenizer tokenizer, int id, boolean asIds) {
        return asIds ? "token_id:" + id : tokenizer.decode(new int[] {id}, false);
    }

    /** vLLM's stop_reason: the request's stop token id that ended the text, null for eos or length. */
    private static JsonNode stopReason(Completion c, int[] requestStopIds) {
        int[] tokens = c.tokens();
        if (c.finishReason() == FinishReason.STOP && tokens.length > 0) {
            int last = tokens[tokens.length - 1];
            for (int id : requestStopIds) {
                if (id == last) {
                    return JSON.numberNode(last);
                }
            }
        }
        return JSON.nullNode();
    }

    static ArrayNode ids(int[] ids) {
        ArrayNode out = JSON.arrayNode(ids.length);
        for (int id : ids) {
            out.add(id);
        }
        return out;
    }

    private static ObjectNode usage(long promptTokens, long completionTokens) {
        ObjectNode usage = JSON.objectNode();
        usage.put("prompt_tokens", promptTokens);
        usage.put("total_tokens", promptTokens + completionTokens);
        usage.put("completion_tokens", completionTokens);
        return usage;
    }
}
