package io.rlstream.producers.prompts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.events.Prompt;
import java.time.Instant;
import java.util.Map;

/**
 * Turns one JSONL line into a {@link Prompt}. Fields: {@code text} (required), {@code prompt_id}
 * (default {@code <dataset>:<line>}), {@code answer} (the reference answer), {@code task}.
 * A bad line throws {@link MalformedLineException} saying what was expected and what came.
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
        String text = text(node, "text", lineNumber, true);
        if (text.isEmpty()) {
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
                .build();
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
