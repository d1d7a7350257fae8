package io.rlstream.producers.prompts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.events.ChatMessage;
import io.rlstream.events.Prompt;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one JSONL line into a {@link Prompt}. Fields: {@code text} and/or {@code messages} (at
 * least one), {@code prompt_id} (default {@code <dataset>:<line>}), {@code answer} (the reference
 * answer), {@code task}. A bad line throws {@link MalformedLineException} saying what was expected
 * and what came.
 *
 * <p>{@code messages} is a chat, as Hugging Face chat templates take it:
 * {@code [{"role": "system"|"user"|"assistant"|"tool", "content": "..."}, ...]}, not empty, the last
 * message not from the assistant (the worker appends the generation prompt, so the policy answers
 * the last message; a trailing assistant turn would be continued by a second assistant turn).
 * Other keys of a message are ignored. When only messages are given, {@code text} is the content of
 * the last user message: the plain form that verifiers, logs and dashboards see.
 */
public final class PromptLineParser {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String dataset;

    public PromptLineParser(String dataset) {
        this.dataset = dataset;
    }

    public Prompt parse(String line, long lineNumber) throws MalformedLineException {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new MalformedLineException(lineNumber, "not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new MalformedLineException(lineNumber, "expected a JSON object, got " + (node == null ? "nothing" : node.getNodeType()));
        }
        List<ChatMessage> messages = messages(node.get("messages"), lineNumber);
        String text = text(node, "text", lineNumber, messages == null);
        if (text == null) {
            text = lastUserContent(messages, lineNumber);
        } else if (text.isEmpty()) {
            throw new MalformedLineException(lineNumber, "field 'text' is empty");
        }
        String id = text(node, "prompt_id", lineNumber, false);
        String answer = text(node, "answer", lineNumber, false);
        String task = text(node, "task", lineNumber, false);
        return Prompt.newBuilder()
                .setPromptId(id == null ? dataset + ":" + lineNumber : id)
                .setText(text)
                .setReferenceAnswer(answer)
                .setTask(task == null ? "" : task)
                .setDataset(dataset)
                .setMetadata(Map.of("line", Long.toString(lineNumber)))
                .setCreatedAt(Instant.now())
                .setMessages(messages)
                .build();
    }

    /** Roles a chat message may have (those of Hugging Face chat templates). */
    public static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

    /** The chat of field 'messages', or null when absent. */
    private static List<ChatMessage> messages(JsonNode value, long line) throws MalformedLineException {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw new MalformedLineException(line, "field 'messages' must be an array of {\"role\", \"content\"} objects, got "
                    + value.getNodeType());
        }
        if (value.isEmpty()) {
            throw new MalformedLineException(line, "field 'messages' is empty");
        }
        List<ChatMessage> out = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            JsonNode m = value.get(i);
            if (!m.isObject()) {
                throw new MalformedLineException(line, "messages[" + i + "] must be an object with 'role' and 'content', got "
                        + m.getNodeType());
            }
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual() || !ROLES.contains(role.asText())) {
                throw new MalformedLineException(line, "messages[" + i + "].role must be one of system, user, assistant, tool, got "
                        + (role == null ? "nothing" : role.toString()));
            }
            JsonNode content = m.get("content");
            if (content == null || !content.isTextual()) {
                throw new MalformedLineException(line, "messages[" + i + "].content must be a string, got "
                        + (content == null ? "nothing" : content.getNodeType().toString()));
            }
            out.add(new ChatMessage(role.asText(), content.asText()));
        }
        if (out.get(out.size() - 1).getRole().equals("assistant")) {
            throw new MalformedLineException(line, "the last message is from the assistant; a prompt ends with the turn "
                    + "the policy answers (user, tool or system)");
        }
        return out;
    }

    private static String lastUserContent(List<ChatMessage> messages, long line) throws MalformedLineException {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).getRole().equals("user")) {
                if (messages.get(i).getContent().isEmpty()) {
                    break;
                }
                return messages.get(i).getContent();
            }
        }
        throw new MalformedLineException(line, "no 'text' and no non-empty user message to take it from; give 'text'");
    }

    private static String text(JsonNode node, String field, long line, boolean required) throws MalformedLineException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new MalformedLineException(line, "missing required field '" + field + "'");
            }
            return null;
        }
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.isNumber()) {
            return value.asText();
        }
        throw new MalformedLineException(line, "field '" + field + "' must be a string, got " + value.getNodeType());
    }

    /** A line that is not a valid prompt. */
    public static final class MalformedLineException extends Exception {
        private final long lineNumber;

        public MalformedLineException(long lineNumber, String message) {
            super("line " + lineNumber + ": " + message);
            this.lineNumber = lineNumber;
        }

        public long lineNumber() {
            return lineNumber;
        }
    }
}
