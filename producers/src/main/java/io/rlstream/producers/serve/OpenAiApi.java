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
 * distribution. Only the chosen token's log-prob is returned: {@code logprobs} above 0 (chat:
 * {@code top_logprobs} above 0) is refused with a 400 rather than answered with a partial list.
 */
final class OpenAiApi {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** vLLM's default max_tokens of a completion (CompletionRequest.max_tokens = 16). */
    static final int DEFAULT_COMPLETION_TOKENS = 16;

    private final ServedModel model;

    OpenAiApi(ServedModel model) {
        this.model = model;
    }

    /** POST /v1/completions. */
    ObjectNode completions(JsonNode request) {
        if (absent(request, "prompt")) {
            throw ApiException.badRequest("'prompt' is required: a string, a list of token ids, or a list of those");
        }
        JsonNode promptNode = request.get("prompt");
        Integer logprobs = integer(request, "logprobs", null);
        if (logprobs != null && logprobs != 0) {
            throw ApiException.badRequest("logprobs must be 0 or null on this server (it returns the chosen token's "
                    + "log-prob only), got " + logprobs);
        }
        boolean asIds = bool(request, "return_tokens_as_token_ids", false);
        boolean returnTokenIds = bool(request, "return_token_ids", false);
        if (bool(request, "stream", false)) {
            throw ApiException.badRequest("stream is not supported by this server");
        }
        if (bool(request, "echo", false)) {
            throw ApiException.badRequest("echo is not supported by this server");
        }
        int n = integer(request, "n", 1);
        Integer maxTokens = integer(request, "max_tokens", DEFAULT_COMPLETION_TOKENS);
        int[] stopIds = RequestFields.intsField(request, "stop_token_ids");
        boolean ignoreEos = bool(request, "ignore_eos", false);
        Double temperature = number(request, "temperature", null);
        Double topP = number(request, "top_p", null);
        Integer topK = integer(request, "top_k", null);
        Long seed = longValue(request, "seed", null);
        return model.exclusive(() -> {
            HfTokenizer tokenizer = model.tokenizer();
            List<int[]> prompts = prompts(promptNode, tokenizer);
            SamplingParams params = GenerationJob.params(model, temperature, topP, topK, maxTokens,
                    GenerationJob.stopIds(model, stopIds, ignoreEos));
            GenerationJob.Output out = new GenerationJob(prompts, n, params, seed).run(model);
            ObjectNode response = JSON.objectNode();
            response.put("id", "cmpl-" + UUID.randomUUID().toString().replace("-", ""));
            response.put("object", "text_completion");
            response.put("created", System.currentTimeMillis() / 1000);
            response.put("model", model.name());
            ArrayNode choices = response.putArray("choices");
            long completionTokens = 0;
            for (int i = 0; i < out.rows().size(); i++) {
                Completion c = out.rows().get(i);
                int[] prompt = prompts.get(i / n);
                ObjectNode choice = choices.addObject();
                choice.put("index", i);
                choice.put("text", tokenizer.decode(c.tokens(), true));
                choice.set("logprobs", logprobs == null ? JSON.nullNode() : completionLogprobs(tokenizer, c, asIds));
                choice.put("finish_reason", c.finishReason().wireName());
                choice.set("stop_reason", stopReason(c, stopIds));
                if (returnTokenIds) {
                    choice.set("token_ids", ids(c.tokens()));
                    choice.set("prompt_token_ids", ids(prompt));
                }
                completionTokens += c.tokens().length;
            }
            long promptTokens = prompts.stream().mapToLong(p -> p.length).sum();
            response.set("usage", usage(promptTokens, completionTokens));
            return response;
        });
    }

    /** POST /v1/chat/completions. */
    ObjectNode chatCompletions(JsonNode request) {
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
        if (top != null && top != 0) {
            throw ApiException.badRequest("top_logprobs must be 0 or null on this server (it returns the chosen "
                    + "token's log-prob only), got " + top);
        }
        if (bool(request, "stream", false)) {
            throw ApiException.badRequest("stream is not supported by this server");
        }
        boolean asIds = bool(request, "return_tokens_as_token_ids", false);
        boolean returnTokenIds = bool(request, "return_token_ids", false);
        int n = integer(request, "n", 1);
        Integer maxTokens = integer(request, "max_completion_tokens", integer(request, "max_tokens", null));
        int[] stopIds = RequestFields.intsField(request, "stop_token_ids");
        boolean ignoreEos = bool(request, "ignore_eos", false);
        Double temperature = number(request, "temperature", null);
        Double topP = number(request, "top_p", null);
        Integer topK = integer(request, "top_k", null);
        Long seed = longValue(request, "seed", null);
        Boolean thinking = bool(RequestFields.object(request, "chat_template_kwargs"), "enable_thinking", null);
        return model.exclusive(() -> {
            HfTokenizer tokenizer = model.tokenizer();
            int[] prompt;
            try {
                prompt = tokenizer.encodeChat(messages, true, thinking);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("cannot render the messages with the model's chat template: "
                        + e.getMessage());
            }
            // vLLM: without max_tokens a chat completion may run to the end of the context.
            int max = maxTokens != null ? maxTokens : Math.max(1, model.contextLength() - prompt.length);
            SamplingParams params = GenerationJob.params(model, temperature, topP, topK, max,
                    GenerationJob.stopIds(model, stopIds, ignoreEos));
            GenerationJob.Output out = new GenerationJob(List.of(prompt), n, params, seed).run(model);
            ObjectNode response = JSON.objectNode();
            response.put("id", "chatcmpl-" + UUID.randomUUID().toString().replace("-", ""));
            response.put("object", "chat.completion");
            response.put("created", System.currentTimeMillis() / 1000);
            response.put("model", model.name());
            ArrayNode choices = response.putArray("choices");
            long completionTokens = 0;
            for (int i = 0; i < out.rows().size(); i++) {
                Completion c = out.rows().get(i);
                ObjectNode choice = choices.addObject();
                choice.put("index", i);
                ObjectNode message = choice.putObject("message");
                message.put("role", "assistant");
                message.put("content", tokenizer.decode(c.tokens(), true));
                choice.set("logprobs", logprobs ? chatLogprobs(tokenizer, c, asIds) : JSON.nullNode());
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
        });
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
    private static ObjectNode completionLogprobs(HfTokenizer tokenizer, Completion c, boolean asIds) {
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
            top.addObject().put(token, lp);
        }
        return out;
    }

    /** vLLM's ChatCompletionLogProbs: {"content": [{"token", "logprob", "bytes", "top_logprobs": []}]}. */
    private static ObjectNode chatLogprobs(HfTokenizer tokenizer, Completion c, boolean asIds) {
        ObjectNode out = JSON.objectNode();
        ArrayNode content = out.putArray("content");
        int[] ids = c.tokens();
        float[] lps = c.logprobs();
        for (int j = 0; j < ids.length; j++) {
            String token = token(tokenizer, ids[j], asIds);
            ObjectNode entry = content.addObject();
            entry.put("token", token);
            entry.put("logprob", Math.max(lps[j], -9999.0));
            ArrayNode bytes = entry.putArray("bytes");
            for (byte b : token.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                bytes.add(b & 0xff);
            }
            entry.putArray("top_logprobs");
        }
        return out;
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
