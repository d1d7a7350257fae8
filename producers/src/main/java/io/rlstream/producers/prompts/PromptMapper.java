package io.rlstream.producers.prompts;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlstream.events.ChatMessage;
import io.rlstream.events.Prompt;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one dataset row (a JSON object: a JSONL line, or a parquet row converted by
 * {@link ParquetPromptSource}) into a {@link Prompt} by a {@link FieldMapping}. A row that is not a
 * prompt is a {@link BadRowException} with its line or row number and reason.
 *
 * <p>The input field may hold plain text (a string) or chat messages
 * ({@code [{"role", "content"}, ...]}, the roles of Hugging Face chat templates, the last message
 * not from the assistant: the worker appends the generation prompt and the policy answers the last
 * message). With chat messages and no text, the prompt's {@code text} is the content of the last
 * user message, the plain form verifiers, logs and dashboards see.
 *
 * <p>Ids: the id field's value as it is when the mapping has one and the row fills it; otherwise
 * {@code <dataset>:<n>}, the file's dataset name (--dataset, default the file name) and the row's
 * line or row number. Row numbers rather than a content hash: the id then says where the prompt is
 * in the file, the same file gives the same ids on every run (a re-run sends the same keys again, and
 * tables keyed by id hold each prompt once), two equal prompts in a file stay two prompts as they were in the data, and the ids of
 * JSONL files are the ones rlstream gave before datasets had mappings.
 */
public final class PromptMapper {

    /** The roles a prompt's chat message may have (Hugging Face chat templates'). */
    public static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

    private final FieldMapping mapping;
    private final String dataset;
    private final String unit;

    /**
     * @param dataset the name of the file's dataset, for rows without a dataset field and for generated ids
     * @param unit {@code line} (JSONL) or {@code row} (parquet), as problems and metadata name rows
     */
    public PromptMapper(FieldMapping mapping, String dataset, String unit) {
        this.mapping = mapping;
        this.dataset = dataset;
        this.unit = unit;
    }

    public Prompt map(JsonNode row, long number) throws BadRowException {
        if (row == null || !row.isObject()) {
            throw bad(number, BadRowException.UNREADABLE,
                    "expected a JSON object, got " + (row == null ? "nothing" : row.getNodeType()));
        }
        String text = null;
        List<ChatMessage> messages = null;
        JsonNode input = present(at(row, mapping.inputKey()));
        if (input != null) {
            if (input.isTextual()) {
                text = input.asText();
                if (text.isEmpty()) {
                    throw bad(number, BadRowException.EMPTY, "field '" + mapping.inputKey() + "' is empty");
                }
            } else if (input.isArray()) {
                messages = messages(input, mapping.inputKey(), number);
            } else {
                throw bad(number, BadRowException.WRONG_TYPE, "field '" + mapping.inputKey()
                        + "' must be a string or a list of {\"role\", \"content\"} messages, got " + input.getNodeType());
            }
        }
        JsonNode chat = present(at(row, mapping.messagesKey()));
        if (chat != null && messages == null) {
            if (!chat.isArray()) {
                throw bad(number, BadRowException.WRONG_TYPE, "field '" + mapping.messagesKey()
                        + "' must be a list of {\"role\", \"content\"} messages, got " + chat.getNodeType());
            }
            messages = messages(chat, mapping.messagesKey(), number);
        }
        if (text == null && messages == null) {
            String key = mapping.inputKey().isEmpty() ? mapping.messagesKey() : mapping.inputKey();
            throw bad(number, BadRowException.MISSING, "missing required field '" + key + "'");
        }
        if (text == null) {
            text = lastUserContent(messages, number);
        }
        String id = scalar(row, mapping.idKey(), number);
        String rowDataset = scalar(row, mapping.datasetKey(), number);
        String task = scalar(row, mapping.taskKey(), number);
        Map<String, String> metadata = new LinkedHashMap<>();
        for (String key : mapping.metadataKeys()) {
            JsonNode value = present(at(row, key));
            if (value != null) {
                metadata.put(key, value.isTextual() ? value.asText() : value.toString());
            }
        }
        metadata.put(unit, Long.toString(number));
        return Prompt.newBuilder()
                .setPromptId(id == null || id.isBlank() ? dataset + ":" + number : id)
                .setText(text)
                .setReferenceAnswer(scalar(row, mapping.labelKey(), number))
                .setTask(task == null ? "" : task)
                .setDataset(rowDataset == null || rowDataset.isBlank() ? dataset : rowDataset)
                .setMetadata(metadata)
                .setCreatedAt(Instant.now())
                .setMessages(messages)
                .build();
    }

    /**
     * The value at a field name or dotted path; the whole name is tried first at each level, so a
     * field whose name holds a dot is found too. Null when absent or the path is empty.
     */
    static JsonNode at(JsonNode node, String path) {
        if (path.isEmpty() || node == null || !node.isObject()) {
            return null;
        }
        JsonNode whole = node.get(path);
        if (whole != null) {
            return whole;
        }
        for (int dot = path.indexOf('.'); dot > 0; dot = path.indexOf('.', dot + 1)) {
            JsonNode found = at(node.get(path.substring(0, dot)), path.substring(dot + 1));
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static JsonNode present(JsonNode value) {
        return value == null || value.isNull() || value.isMissingNode() ? null : value;
    }

    /** A string or number field as text; null when the key is empty or the field absent. */
    private String scalar(JsonNode row, String key, long number) throws BadRowException {
        JsonNode value = present(at(row, key));
        if (value == null) {
            return null;
        }
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.isNumber()) {
            return value.asText();
        }
        throw bad(number, BadRowException.WRONG_TYPE, "field '" + key + "' must be a string, got " + value.getNodeType());
    }

    private List<ChatMessage> messages(JsonNode value, String key, long number) throws BadRowException {
        if (value.isEmpty()) {
            throw bad(number, BadRowException.EMPTY, "field '" + key + "' has no messages");
        }
        List<ChatMessage> out = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            JsonNode m = value.get(i);
            String at = key + "[" + i + "]";
            if (!m.isObject()) {
                throw bad(number, BadRowException.BAD_MESSAGES, at + " must be an object with 'role' and 'content', got "
                        + m.getNodeType());
            }
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual() || !ROLES.contains(role.asText())) {
                throw bad(number, BadRowException.BAD_MESSAGES, at + ".role must be one of system, user, assistant, tool, got "
                        + (role == null ? "nothing" : role.toString()));
            }
            JsonNode content = m.get("content");
            if (content == null || !content.isTextual()) {
                throw bad(number, BadRowException.BAD_MESSAGES, at + ".content must be a string, got "
                        + (content == null ? "nothing" : content.getNodeType().toString()));
            }
            out.add(new ChatMessage(role.asText(), content.asText()));
        }
        if (out.get(out.size() - 1).getRole().equals("assistant")) {
            throw bad(number, BadRowException.BAD_MESSAGES, "the last message of '" + key + "' is from the assistant; a prompt "
                    + "ends with the turn the policy answers (user, tool or system)");
        }
        return out;
    }

    private String lastUserContent(List<ChatMessage> messages, long number) throws BadRowException {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).getRole().equals("user")) {
                if (messages.get(i).getContent().isEmpty()) {
                    break;
                }
                return messages.get(i).getContent();
            }
        }
        throw bad(number, BadRowException.EMPTY, "no non-empty user message to take the prompt text from");
    }

    private BadRowException bad(long number, String reason, String detail) {
        return new BadRowException(unit, number, reason, detail);
    }
}
