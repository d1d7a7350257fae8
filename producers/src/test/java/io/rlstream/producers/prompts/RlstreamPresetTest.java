package io.rlstream.producers.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlstream.events.ChatMessage;
import io.rlstream.events.Prompt;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rlstream preset (fields text, messages, prompt_id, answer, task) on JSONL lines written out by
 * hand: what `rlstream prompts --file F.jsonl` and the demo produce from each line.
 */
class RlstreamPresetTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Parser parser = new Parser();

    /** One line through PromptMapper as JsonlPromptSource hands it over (unit "line"). */
    private static final class Parser {
        Prompt parse(String line, long number) throws BadRowException {
            JsonNode row;
            try {
                row = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new BadRowException("line", number, BadRowException.UNREADABLE,
                        "not valid JSON (" + e.getOriginalMessage() + ")");
            }
            return new PromptMapper(FieldMapping.RLSTREAM, "arith", "line").map(row, number);
        }
    }

    @Test
    void readsAllFields() throws Exception {
        Prompt p = parser.parse("{\"prompt_id\":\"a-1\",\"text\":\"37+48=\",\"answer\":\"85\",\"task\":\"addition\"}", 3);
        assertEquals("a-1", p.getPromptId());
        assertEquals("37+48=", p.getText());
        assertEquals("85", p.getReferenceAnswer());
        assertEquals("addition", p.getTask());
        assertEquals("arith", p.getDataset());
        assertEquals("3", p.getMetadata().get("line"));
    }

    @Test
    void idDefaultsToDatasetAndLineAndNumericAnswerIsText() throws Exception {
        Prompt p = parser.parse("{\"text\":\"1+1=\",\"answer\":2}", 12);
        assertEquals("arith:12", p.getPromptId());
        assertEquals("2", p.getReferenceAnswer());
        assertNull(parser.parse("{\"text\":\"hi\"}", 1).getReferenceAnswer());
    }

    @Test
    void badLinesSayWhichLineAndWhatIsWrong() {
        assertEquals("line 4: missing required field 'text'",
                assertThrows(BadRowException.class, () -> parser.parse("{\"answer\":\"1\"}", 4)).getMessage());
        // text may also hold the chat (verl keeps it under "prompt"), so a list is read as messages
        assertEquals("line 5: text[0] must be an object with 'role' and 'content', got NUMBER",
                assertThrows(BadRowException.class, () -> parser.parse("{\"text\":[1]}", 5)).getMessage());
        assertEquals("line 6: expected a JSON object, got ARRAY",
                assertThrows(BadRowException.class, () -> parser.parse("[1,2]", 6)).getMessage());
        String notJson = assertThrows(BadRowException.class, () -> parser.parse("{text:", 7)).getMessage();
        assertEquals(true, notJson.startsWith("line 7: not valid JSON"), notJson);
    }

    @Test
    void aPlainTextPromptHasNoMessages() throws Exception {
        assertNull(parser.parse("{\"text\":\"1+1=\"}", 1).getMessages());
    }

    @Test
    void messagesAloneTakeTheTextFromTheLastUserMessage() throws Exception {
        Prompt p = parser.parse("{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"2+2?\"},{\"role\":\"assistant\",\"content\":\"4\"},"
                + "{\"role\":\"user\",\"content\":\"and 3+3?\"}],\"answer\":\"6\"}", 2);
        assertEquals(List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "2+2?"),
                new ChatMessage("assistant", "4"), new ChatMessage("user", "and 3+3?")), p.getMessages());
        assertEquals("and 3+3?", p.getText());
        assertEquals("6", p.getReferenceAnswer());
    }

    @Test
    void textAndMessagesTogetherKeepBothAndOtherMessageKeysAreIgnored() throws Exception {
        Prompt p = parser.parse("{\"text\":\"Q: 2+2\",\"messages\":[{\"role\":\"user\",\"content\":\"2+2?\","
                + "\"name\":\"ann\"},{\"role\":\"tool\",\"content\":\"{}\"}]}", 3);
        assertEquals("Q: 2+2", p.getText());
        assertEquals(List.of(new ChatMessage("user", "2+2?"), new ChatMessage("tool", "{}")), p.getMessages());
    }

    @Test
    void badMessagesSayWhichLineAndWhatIsWrong() {
        assertEquals("line 8: field 'messages' has no messages", bad("{\"messages\":[]}", 8));
        assertEquals("line 9: field 'messages' must be a list of {\"role\", \"content\"} messages, got STRING",
                bad("{\"messages\":\"hi\"}", 9));
        assertEquals("line 10: messages[1].role must be one of system, user, assistant, tool, got \"bot\"",
                bad("{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"bot\",\"content\":\"b\"}]}", 10));
        assertEquals("line 11: messages[0].content must be a string, got nothing",
                bad("{\"messages\":[{\"role\":\"user\"}]}", 11));
        assertEquals("line 12: messages[0] must be an object with 'role' and 'content', got STRING",
                bad("{\"messages\":[\"hi\"]}", 12));
        assertEquals("line 13: the last message of 'messages' is from the assistant; a prompt ends with the turn the policy answers "
                + "(user, tool or system)",
                bad("{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":\"b\"}]}", 13));
        assertEquals("line 14: no non-empty user message to take the prompt text from",
                bad("{\"messages\":[{\"role\":\"system\",\"content\":\"a\"}]}", 14));
        assertEquals("line 15: missing required field 'text'", bad("{\"messages\":null}", 15));
    }

    private String bad(String line, long number) {
        return assertThrows(BadRowException.class, () -> parser.parse(line, number)).getMessage();
    }
}
